package main

import "fmt"

func down(n int) int {
	return down(n+1) + 1
}

func spawned(ch chan int) {
	ch <- down(0)
}

func main() {
	ch := make(chan int)
	go spawned(ch)
	fmt.Println(<-ch)
}
