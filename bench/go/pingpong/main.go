// Unbuffered ping-pong: n round trips; checksum = sum of the replies (ping + 1).
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

func main() {
	n, _ := strconv.ParseInt(os.Args[1], 10, 64)
	ping, pong := make(chan int64), make(chan int64)
	go ponger(ping, pong, n)
	var sum int64
	for i := int64(0); i < n; i++ {
		ping <- i
		sum += <-pong
	}
	fmt.Println(sum)
}
