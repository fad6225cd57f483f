package main

import "fmt"

type Counter func() int64

func main() {
	var n int64 // the shared variable: the .gox's upvalue box
	var c Counter = func() int64 {
		n = n + 1
		return n
	}
	fmt.Println(c())
	fmt.Println(c())
	fmt.Println(c())
	fmt.Print("outer sees ")
	fmt.Println(n)
}
