package main

import (
	"fmt"
	"os"
)

func waiter(never chan int) {
	<-never
	fmt.Println("other goroutine (must not print)")
}

func main() {
	defer fmt.Println("deferred (must not print)")
	go waiter(make(chan int))
	fmt.Println("exit 0")
	os.Exit(0)
}
