// Go twin of buffered_mpmc.gox.
package main

import "fmt"

func producer(ch chan int, base, n int, done chan int) {
	for i := 0; i < n; i++ {
		ch <- base + i
	}
	done <- 0
}

func consumer(ch chan int, out chan int) {
	sum := 0
	ok := true
	for ok {
		var v int
		v, ok = <-ch
		sum += v
		_ = len(ch)
	}
	out <- sum
}

func main() {
	ch := make(chan int, 3)
	done := make(chan int)
	out := make(chan int)
	for p := 0; p < 4; p++ {
		go producer(ch, p*1000, 200, done)
	}
	for c := 0; c < 4; c++ {
		go consumer(ch, out)
	}
	for p := 0; p < 4; p++ {
		<-done
	}
	close(ch)
	total := 0
	for c := 0; c < 4; c++ {
		total += <-out
	}
	fmt.Println("total", total)
}
