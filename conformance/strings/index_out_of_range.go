package main

import "fmt"

func main() {
	s := "abc"
	i, j := 1, 5
	fmt.Println(s[i])
	fmt.Println(s[j])
}
