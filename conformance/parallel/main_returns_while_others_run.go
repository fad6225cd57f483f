package main

import (
	"fmt"
	"runtime"
)

var sink string

func spinner(started chan int) {
	started <- 1
	x := "x"
	for {
		sink = x + "y"
		runtime.Gosched()
	}
}

func main() {
	started := make(chan int)
	go spinner(started)
	go spinner(started)
	go spinner(started)
	<-started
	<-started
	<-started
	fmt.Println("main done")
}
