package main

import "fmt"

func main() {
	s := "hello"
	lo, hi := 1, 4
	fmt.Println(s[lo:hi])
	lo, hi = 0, 5
	fmt.Println(s[lo:hi])
	lo, hi = 2, 10
	fmt.Println(s[lo:hi])
}
