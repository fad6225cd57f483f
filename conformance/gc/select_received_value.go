package main

import (
	"fmt"
	"runtime"
)

var ch chan string

func late(c chan string) {
	ef := "ef"
	c <- ef + "gh"
}

func main() {
	ch = make(chan string, 1)
	ab := "ab"
	ch <- ab + "cd"
	for i := 0; i < 2; i++ {
		if i == 1 {
			go late(ch)
		}
		var v string
		var ok bool
		k := -1
		select {
		case v, ok = <-ch:
			k = 0
		}
		runtime.GC()
		runtime.GC()
		fmt.Println(k, v, ok)
	}
}
