package main

import "fmt"

func main() {
	e := ""
	a := "ab" + e
	b := e + "cd"
	fmt.Println(a)
	fmt.Println(b)
	fmt.Println(len(a), len(b))
}
