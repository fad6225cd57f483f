package main

import "fmt"

func catcher() {
	if r := recover(); r != nil {
		fmt.Print("recovered: ")
		fmt.Println(r)
	}
}

func f0(a int64) int64 {
	defer catcher()
	a -= ((a << (1 & 15)) % (1048576 | 1))
	if a == -3 {
		panic("boom")
	}
	return a | a
}

func main() {
	fmt.Println(f0(3))
	fmt.Println(f0(5))
}
