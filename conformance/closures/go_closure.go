package main

import "fmt"

func main() {
	ch := make(chan int64)
	c := func(v int64) { ch <- v }
	go c(99)
	fmt.Print("from closure: ")
	fmt.Println(<-ch)
}
