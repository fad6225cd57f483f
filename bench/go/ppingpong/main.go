// 8 independent unbuffered ping-pong pairs, n round trips each (as ppingpong.gox);
// checksum = 8 * n(n+1)/2.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func ponger(ping, pong chan int64, n int64) {
	for i := int64(0); i < n; i++ {
		pong <- (<-ping) + 1
	}
}

func pinger(n int64, out chan<- int64) {
	ping, pong := make(chan int64), make(chan int64)
	go ponger(ping, pong, n)
	var sum int64
	for i := int64(0); i < n; i++ {
		ping <- i
		sum += <-pong
	}
	out <- sum
}

func main() {
	n, _ := strconv.ParseInt(os.Args[1], 10, 64)
	const pairs = 8
	out := make(chan int64)
	for k := 0; k < pairs; k++ {
		go pinger(n, out)
	}
	var total int64
	for k := 0; k < pairs; k++ {
		total += <-out
	}
	fmt.Println(total)
}
