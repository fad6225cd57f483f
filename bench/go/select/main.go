// Select over two ready channels (cap 1, each holding a 1): n selects, the value put back.
// Checksum = n.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n, _ := strconv.ParseInt(os.Args[1], 10, 64)
	a, b := make(chan int64, 1), make(chan int64, 1)
	a <- 1
	b <- 1
	var sum int64
	for i := int64(0); i < n; i++ {
		select {
		case v := <-a:
			sum += v
			a <- v
		case v := <-b:
			sum += v
			b <- v
		}
	}
	fmt.Println(sum)
}
