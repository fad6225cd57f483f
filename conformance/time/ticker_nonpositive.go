package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("before")
	time.NewTicker(0)
	fmt.Println("not reached")
}
