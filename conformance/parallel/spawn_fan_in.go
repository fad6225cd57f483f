package main

import "fmt"

func leaf(v int64, out chan int64) {
	out <- v
}

func spawner(lo int64, hi int64, out chan int64) {
	for i := lo; i < hi; i++ {
		go leaf(i, out)
	}
}

func main() {
	out := make(chan int64, 16)
	go spawner(0, 200, out)
	go spawner(200, 400, out)
	var sum int64 = 0
	for k := 0; k < 400; k++ {
		sum += <-out
	}
	fmt.Print("sum ", sum, " count 400\n")
}
