package main

import (
	"fmt"
	"time"
)

func main() {
	t := time.NewTimer(25 * time.Millisecond)
	<-t.C
	fmt.Println("fired", 25) // the deadline: real time is later, by a load-dependent margin
}
