package main

import "fmt"

func div(a int64, b int64) int64 {
	return a / b
}

func main() {
	fmt.Println("before")
	fmt.Println(div(1, 0))
	fmt.Println("not reached")
}
