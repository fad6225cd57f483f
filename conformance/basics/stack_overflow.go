package main

import (
	"fmt"
	"runtime/debug"
)

func down(n int64) int64 {
	return down(n+1) + 1
}

func main() {
	// the .gox runner's limit is a few hundred frames; Go's default (1 GB of stack) would take
	// seconds and gigabytes to reach, with the same report
	debug.SetMaxStack(1 << 20)
	fmt.Println(down(0))
}
