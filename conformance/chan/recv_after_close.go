package main

import "fmt"

func main() {
	ch := make(chan int, 2)
	ch <- 7
	close(ch)
	for i := 0; i < 3; i++ {
		v, ok := <-ch
		fmt.Println(v, ok)
	}
}
