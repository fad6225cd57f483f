package main

import (
	"fmt"
	"time"
)

func main() {
	t0 := time.Now()
	time.Sleep(3600000000000)
	fmt.Print("slept ")
	fmt.Print(int64(time.Since(t0)))
	fmt.Println(" ns")
}
