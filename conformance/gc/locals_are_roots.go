package main

import (
	"fmt"
	"runtime"
)

func inner(keep string) string {
	s := keep + "def"
	runtime.GC()
	fmt.Print("inner: ")
	fmt.Println(s)
	return s
}

func main() {
	ab := "ab"
	a := ab + "c"
	b := inner(a)
	runtime.GC()
	fmt.Print("outer: ")
	fmt.Println(a)
	b = ""
	_ = b
}
