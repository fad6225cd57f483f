package main

import (
	"fmt"
	"runtime"
)

func sender(ch chan int64, done chan int64) {
	ch <- 3
	done <- 1
}

func main() {
	ch := make(chan int64, 2)
	done := make(chan int64)
	ch <- 1
	ch <- 2
	go sender(ch, done)
	runtime.Gosched()
	a := <-ch
	b := <-ch
	c := <-ch
	fmt.Println(a, b, c)
	<-done
	fmt.Println("done")
}
