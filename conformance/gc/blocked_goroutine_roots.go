package main

import (
	"fmt"
	"runtime"
)

func holder(start chan int, done chan int) {
	kept := "kept "
	s := kept + "alive"
	<-start
	fmt.Println(s)
	done <- 1
}

func main() {
	start := make(chan int)
	done := make(chan int)
	go holder(start, done)
	runtime.Gosched()
	runtime.GC()
	runtime.GC()
	start <- 1
	<-done
}
