package main

import "fmt"

func main() {
	a := "héllo"
	s := a + ", " + "world"
	fmt.Println(s)
	fmt.Println(len(s))
	fmt.Println(len(a))
}
