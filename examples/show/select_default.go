package main

import "runtime"

func sender(ch chan int) {
	ch <- 7
}

func main() {
	ch := make(chan int)
	select {
	case <-ch:
		println(0)
	default:
		println(-1)
	}
	go sender(ch)
	runtime.Gosched()
	select {
	case v := <-ch:
		println(0, v)
	default:
		println(-1)
	}
}
