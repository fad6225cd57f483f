// Go twin of range_fanin.gox.
package main

import "fmt"

func producer(ch chan int, base, n int, done chan int) {
	for i := 0; i < n; i++ {
		ch <- base + i
	}
	done <- 0
}

func consumer(ch chan int, out chan int, counts chan int) {
	sum, n := 0, 0
	for v := range ch {
		sum += v
		n++
	}
	out <- sum
	counts <- n
}

func main() {
	ch := make(chan int, 2)
	done := make(chan int)
	out := make(chan int, 4)
	counts := make(chan int, 4)
	for p := 0; p < 4; p++ {
		go producer(ch, p*1000, 200, done)
	}
	for c := 0; c < 4; c++ {
		go consumer(ch, out, counts)
	}
	for p := 0; p < 4; p++ {
		<-done
	}
	close(ch)
	total, count := 0, 0
	for c := 0; c < 4; c++ {
		total += <-out
		count += <-counts
	}
	fmt.Println("total", total, "count", count)
}
