package main

import (
	"fmt"
	"runtime"
)

func main() {
	m := make(map[int64]string)
	for i := int64(0); i < 3; i++ {
		digit := "0123456789"[i : i+1]
		m[i] = "v" + digit
	}
	runtime.GC()
	for i := int64(0); i < 3; i++ {
		v := m[i]
		fmt.Print(v)
		if i < 2 {
			fmt.Print(" ")
		}
	}
	fmt.Println("")
}
