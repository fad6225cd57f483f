package main

import (
	"fmt"
	"math"
)

func main() {
	var m int64 = -1
	fmt.Println(uint64(m))
	fmt.Println(int64(uint64(m)))
	var seven int64 = 7
	var h float64 = float64(seven) / 2
	fmt.Print(int64(h), ".")
	fmt.Println(int64((h - float64(int64(h))) * 10))
	x := 3.9 // (a constant 3.9 does not convert to int64 in Go: the .gox converts at run time)
	fmt.Println(int64(x), int64(-x))
	fmt.Println(math.Float64bits(1.0))
	fmt.Println(math.Float64frombits(math.Float64bits(2.5)) == 2.5)
}
