// Fan-out/fan-in (as fanout.gox): a producer, 1,000 workers over one shared buffered jobs
// channel (cap 128), one shared buffered results channel (cap 128); checksum = n^2.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func producer(jobs chan<- int64, n int64) {
	for i := int64(0); i < n; i++ {
		jobs <- i
	}
	close(jobs)
}

func worker(jobs <-chan int64, results chan<- int64) {
	for v := range jobs {
		results <- 2*v + 1
	}
}

func main() {
	n, _ := strconv.ParseInt(os.Args[1], 10, 64)
	jobs := make(chan int64, 128)
	results := make(chan int64, 128)
	for w := 0; w < 1000; w++ {
		go worker(jobs, results)
	}
	go producer(jobs, n)
	var sum int64
	for i := int64(0); i < n; i++ {
		sum += <-results
	}
	fmt.Println(sum)
}
