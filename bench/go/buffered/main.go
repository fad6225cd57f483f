// Buffered channel (cap 128) throughput: n messages; checksum = 0 + 1 + ... + (n-1).
package main

import (
	"fmt"
	"os"
	"strconv"
)

func producer(ch chan int64, n int64) {
	for i := int64(0); i < n; i++ {
		ch <- i
	}
	close(ch)
}

func main() {
	n, _ := strconv.ParseInt(os.Args[1], 10, 64)
	ch := make(chan int64, 128)
	go producer(ch, n)
	var sum int64
	for v := range ch {
		sum += v
	}
	fmt.Println(sum)
}
