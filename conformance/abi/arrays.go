package main

import "fmt"

func main() {
	var a [4]int64
	fmt.Println(len(a))
	for i := int64(0); i < 4; i++ {
		a[i] = i * 10
	}
	for i := 0; i < 4; i++ {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Print(a[i])
	}
	fmt.Println("")
	s := a[1:3]
	s[1] = 99
	fmt.Println(len(s), cap(s)+1, a[2])
}
