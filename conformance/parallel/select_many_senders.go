package main

import "fmt"

func sender(ch chan int64, lo int64, hi int64) {
	for i := lo; i < hi; i++ {
		ch <- i
	}
}

func main() {
	a := make(chan int64)
	b := make(chan int64, 2)
	go sender(a, 0, 100)
	go sender(b, 100, 200)
	go sender(a, 200, 300)
	go sender(b, 300, 400)
	var na, nb, sum int64
	for na+nb < 400 {
		select {
		case v := <-a:
			sum += v
			na++
		case v := <-b:
			sum += v
			nb++
		}
	}
	fmt.Println("a", na, "b", nb, "sum", sum)
}
