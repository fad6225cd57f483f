package main

import (
	"fmt"
	"os"
	"runtime"
)

func spinner(started chan int) {
	defer fmt.Println("spinner's deferred call (must not print)")
	started <- 1
	for {
		s := "x" + fmt.Sprint("y")
		_ = s
		runtime.Gosched()
	}
}

func exiter() {
	fmt.Println("exit 5")
	os.Exit(5)
}

func main() {
	started := make(chan int)
	go spinner(started)
	go spinner(started)
	go spinner(started)
	<-started
	<-started
	<-started
	go exiter()
	<-make(chan int)
	fmt.Println("main goes on (must not print)")
}
