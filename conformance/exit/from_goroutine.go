package main

import (
	"fmt"
	"os"
)

func worker(done chan int) {
	defer fmt.Println("worker's deferred call (must not print)")
	fmt.Println("worker exits")
	os.Exit(4)
}

func main() {
	defer fmt.Println("main's deferred call (must not print)")
	done := make(chan int)
	go worker(done)
	<-done
	fmt.Println("main goes on (must not print)")
}
