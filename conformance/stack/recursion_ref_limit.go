package main

import "fmt"

type F func(F, int) int

func depth(n int) int {
	if n > 0 {
		return depth(n-1) + 1
	}
	return 0
}

func viavalue(f F, n int) int {
	if n > 0 {
		return f(f, n-1) + 1
	}
	return 0
}

func main() {
	fmt.Println(depth(99998))
	ch := make(chan int)
	go func() { ch <- viavalue(viavalue, 99998) }()
	fmt.Println(<-ch)
}
