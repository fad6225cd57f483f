package main

import "fmt"

func catcher() {
	recover()
}

func risky(i int64) int64 {
	defer catcher()
	if i%2 == 0 {
		panic("even")
	}
	var a [2]int64
	_ = a[i]
	return 1
}

func worker(n int64, done chan int64) {
	var count int64 = 0
	for i := int64(0); i < n; i++ {
		risky(i)
		count++
	}
	done <- count
}

func main() {
	done := make(chan int64, 4)
	go worker(30, done)
	go worker(30, done)
	go worker(30, done)
	go worker(30, done)
	var total int64 = 0
	for k := 0; k < 4; k++ {
		total += <-done
	}
	fmt.Print("recovered ")
	fmt.Println(total)
}
