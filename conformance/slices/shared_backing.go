package main

import "fmt"

func show(s []int64) {
	fmt.Print("[")
	for i := 0; i < len(s); i++ {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Print(s[i])
	}
	fmt.Println("]")
}

func main() {
	s := make([]int64, 5, 10)
	t := s[1:3]
	fmt.Println(len(t), cap(t))
	t[0] = 100
	t[1] = 200
	show(s)
}
