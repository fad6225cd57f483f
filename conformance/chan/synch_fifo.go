package main

import "fmt"

func chain(ch chan int, val int, in chan int, out chan int) {
	<-in
	if <-ch != val {
		panic("wrong value")
	}
	fmt.Print(val)
	if val < 9 {
		fmt.Print(" ")
	}
	out <- 1
}

func main() {
	ch := make(chan int)
	in := make(chan int)
	start := in
	for i := 0; i < 10; i++ {
		out := make(chan int)
		go chain(ch, i, in, out)
		in = out
	}
	start <- 0
	for i := 0; i < 10; i++ {
		ch <- i
	}
	<-in
	fmt.Println("")
}
