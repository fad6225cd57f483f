package main

import "fmt"

func main() {
	s := make([]int64, 3, 10)
	s[2] = 7
	i := 5
	fmt.Println(s[i])
}
