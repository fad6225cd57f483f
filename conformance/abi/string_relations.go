package main

import "fmt"

func main() {
	a, b := "a", "b"
	fmt.Println(a != b, a != a)
	fmt.Println(a <= b, a <= a, b <= a)
	fmt.Println(b >= a, a >= a, a >= b)
}
