package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	idx := 0 // the .gox's gox_select_exec result: the case's index, -1 for default
	select {
	case <-ch:
		idx = 0
	default:
		idx = -1
	}
	fmt.Println(idx)
	ch <- 5
	var v int
	var ok bool
	select {
	case v, ok = <-ch:
		idx = 0
	default:
		idx = -1
	}
	fmt.Println(idx, v, ok)
}
