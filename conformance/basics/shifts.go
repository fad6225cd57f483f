package main

import "fmt"

func main() {
	var one uint64 = 1
	fmt.Println(one << 63)
	var m int64 = -8
	fmt.Println(m >> 1)
	var n uint64 = 64
	fmt.Println(one << n)
	fmt.Println(m >> n)
	var p int64 = 1
	fmt.Println(p << n)
	var top uint64 = 9223372036854775808
	fmt.Println(top >> 1)
}
