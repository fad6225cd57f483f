package main

import (
	"fmt"
	"runtime"
)

func recvInto(ch chan int64, out chan int64) {
	out <- <-ch
}

func main() {
	runtime.GOMAXPROCS(1)
	ch := make(chan int64)
	a := make(chan int64, 1)
	b := make(chan int64, 1)
	go recvInto(ch, a)
	runtime.Gosched()
	go recvInto(ch, b)
	runtime.Gosched()
	ch <- 1
	ch <- 2
	fmt.Println("A", <-a)
	fmt.Println("B", <-b)
}
