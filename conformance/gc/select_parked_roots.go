package main

import (
	"fmt"
	"runtime"
)

var ch chan string
var other chan int
var done chan int

func chooser() {
	k := 0
	select {
	case ch <- "ab" + string([]byte{'c', 'd'}):
		k = 0
	case <-other:
		k = 1
	}
	done <- k
}

func main() {
	ch = make(chan string)
	other = make(chan int)
	done = make(chan int, 1)
	go chooser()
	runtime.Gosched()
	runtime.GC()
	fmt.Println(<-ch)
	fmt.Print("case ")
	fmt.Println(<-done)
}
