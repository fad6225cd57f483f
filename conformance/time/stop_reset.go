package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	t := time.NewTimer(time.Hour)
	fmt.Println("stop pending", t.Stop())
	fmt.Println("stop again", t.Stop())
	fmt.Println("reset stopped", t.Reset(100*time.Millisecond))
	time.Sleep(150 * time.Millisecond)
	fmt.Println("stop fired", t.Stop())
	fmt.Println("len", len(t.C))
	fmt.Println("reset fired", t.Reset(100*time.Millisecond))
	time.Sleep(150 * time.Millisecond)
	fmt.Println("len", len(t.C))
	v := <-t.C
	fmt.Println("value", v.Sub(start).Milliseconds()/100)
	t.Reset(100 * time.Millisecond)
	fmt.Println("reset pending", t.Reset(100*time.Millisecond))
	fmt.Println("stop", t.Stop())
}
