package main

import (
	"fmt"
	"runtime"
)

func show(s string) {
	fmt.Print("deferred ")
	fmt.Println(s)
}

func f() {
	defer show("ab" + string([]byte{'c', 'd'}))
	runtime.GC()
	fmt.Println("body")
}

func main() {
	f()
}
