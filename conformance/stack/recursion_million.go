package main

import "fmt"

func depth(n int) int {
	if n == 0 {
		return 0
	}
	return depth(n-1) + 1
}

func spawned(n int, ch chan int) {
	ch <- depth(n)
}

func main() {
	fmt.Println(depth(1000000))
	ch := make(chan int)
	go spawned(1000000, ch)
	fmt.Println(<-ch)
}
