package main

import (
	"fmt"
	"time"
)

func main() {
	ch := make(chan int64)
	t := time.After(20 * time.Millisecond)
	fmt.Println("waiting")
	<-ch
	<-t
}
