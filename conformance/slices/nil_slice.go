package main

import "fmt"

func main() {
	var s []int64
	fmt.Println(len(s), cap(s))
	fmt.Printf("[%d/%d]%p\n", len(s), cap(s), s) // println's format of a slice: [len/cap]address
	s = append(s, 5)
	fmt.Println(len(s))
}
