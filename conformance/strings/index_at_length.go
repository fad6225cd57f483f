package main

import "fmt"

func main() {
	s := "abc"
	i := 1
	fmt.Println(s[i])
	i = 3
	fmt.Println(s[i])
}
