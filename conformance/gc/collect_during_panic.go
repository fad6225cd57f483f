package main

import (
	"fmt"
	"runtime"
)

var keep string
var shown string

func sweep() {
	// (the .gox's checkpoint statements label heap views; Go has none)
	fmt.Println("sweeping")
	runtime.GC()
	if r := recover(); r != nil {
		fmt.Print("recovered: ")
		fmt.Println(r)
	}
}

func build(depth int64) {
	big := make([]int64, 64, 64)
	temp := "temp"
	label := temp + "orary"
	if depth > 0 {
		build(depth - 1)
	}
	kept := "kept"
	keep = kept + "!"
	panic("build failed")
	fmt.Println(label)
	fmt.Println(big)
}

func run() {
	defer sweep()
	runs := "run's "
	mine := runs + "local"
	shown = mine
	build(2)
}

func main() {
	run()
	fmt.Println(keep)
	fmt.Println(shown)
}
