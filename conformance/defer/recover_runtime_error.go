package main

import "fmt"

func catcher() {
	if r := recover(); r != nil {
		fmt.Print("recovered: ")
		fmt.Println(r)
	}
}

func get(s []int64, i int64) int64 {
	defer catcher()
	return s[i]
}

func main() {
	s := make([]int64, 2, 2)
	v := get(s, 3)
	fmt.Println(v - 1)
}
