package main

import "fmt"

func main() {
	src := make([]int64, 2, 2)
	src[0] = 10
	src[1] = 20
	dst := make([]int64, 3, 3)
	fmt.Println(copy(dst, src))
	for i := 0; i < 3; i++ {
		fmt.Print(dst[i])
		if i < 2 {
			fmt.Print(" ")
		}
	}
	fmt.Println("")
}
