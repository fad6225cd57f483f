package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	t := time.NewTimer(25 * time.Millisecond)
	v := <-t.C
	fmt.Println("fired", v.Sub(start) >= 25*time.Millisecond)
}
