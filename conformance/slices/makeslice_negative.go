package main

import "fmt"

func main() {
	var n int64 = -1
	s := make([]int64, n, 4)
	fmt.Println(len(s))
}
