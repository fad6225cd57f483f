package main

import "fmt"

func say(s string) {
	fmt.Println(s)
}

func inner() {
	defer say("cleanup inner")
	panic("inner failure")
}

func outer() {
	defer say("cleanup outer")
	inner()
}

func main() {
	outer()
}
