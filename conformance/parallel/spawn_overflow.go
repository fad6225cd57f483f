package main

import "fmt"

func leaf(v int64, out chan int64) {
	out <- v * v
}

func main() {
	out := make(chan int64)
	for i := int64(0); i < 3000; i++ {
		go leaf(i, out)
	}
	var sum int64 = 0
	for k := 0; k < 3000; k++ {
		sum += <-out
	}
	fmt.Print("sum ", sum, " count 3000\n")
}
