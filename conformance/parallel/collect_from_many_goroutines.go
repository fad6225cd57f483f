package main

import (
	"fmt"
	"runtime"
)

func collector(n int, done chan int) {
	x := "x"
	for i := 0; i < n; i++ {
		s := x + "y"
		runtime.GC()
		if len(s) != 2 {
			panic("lost")
		}
	}
	done <- 1
}

func main() {
	done := make(chan int)
	go collector(200, done)
	go collector(200, done)
	go collector(200, done)
	go collector(200, done)
	for k := 0; k < 4; k++ {
		<-done
	}
	fmt.Println("ok")
}
