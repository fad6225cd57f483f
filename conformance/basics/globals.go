package main

import (
	"fmt"
	"runtime"
)

var counter int64
var flag bool
var name string

func bump() {
	counter = counter + 1
}

func main() {
	fmt.Println(counter, flag)
	bump()
	bump()
	bump()
	fmt.Println(counter)
	name = "hi"
	runtime.GC()
	fmt.Println(name)
}
