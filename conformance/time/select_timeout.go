package main

import (
	"fmt"
	"time"
)

func main() {
	never := make(chan int64)
	start := time.Now()
	var i int64
	select {
	case <-never:
		i = 0
	case <-time.After(50 * time.Millisecond):
		i = 1
	}
	fmt.Println("timeout", i, time.Since(start) >= 50*time.Millisecond)
	after := time.After(100 * time.Millisecond)
	i = 0
	select {
	case <-never:
		i = 0
	case <-after:
		i = 1
	default:
		i = -1
	}
	fmt.Println("default", i)
	time.Sleep(200 * time.Millisecond)
	select {
	case <-never:
		i = 0
	case <-after:
		i = 1
	default:
		i = -1
	}
	fmt.Println("late", i)
}
