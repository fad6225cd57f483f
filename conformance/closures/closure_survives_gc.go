package main

import (
	"fmt"
	"runtime"
)

func makeGreeter() func() string {
	s := "hel"
	s += "lo" // built at run time, as gox_rt_string_concat does
	return func() string { return "greeting: " + s }
}

func main() {
	c := makeGreeter()
	runtime.GC()
	runtime.GC()
	fmt.Println(c())
}
