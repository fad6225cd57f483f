package main

import "fmt"

func fib(n int64) int64 {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func fact(n int64) int64 {
	if n <= 1 {
		return 1
	} else {
		return n * fact(n-1)
	}
}

func main() {
	fmt.Println(fib(20))
	fmt.Println(fact(10))
}
