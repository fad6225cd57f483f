package main

import (
	"fmt"
	"time"
)

func main() {
	t0 := time.Now()
	time.Sleep(25 * time.Millisecond)
	d := time.Since(t0)
	fmt.Println("at least", d >= 25*time.Millisecond)
}
