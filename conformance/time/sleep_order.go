package main

import (
	"fmt"
	"time"
)

func sleeper(ms int64, done chan int64) {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	fmt.Println(ms)
	done <- 1
}

func main() {
	done := make(chan int64, 3)
	go sleeper(30, done)
	go sleeper(10, done)
	go sleeper(20, done)
	time.Sleep(40 * time.Millisecond)
	<-done
	<-done
	<-done
	fmt.Println("done")
}
