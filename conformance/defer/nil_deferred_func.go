package main

import "fmt"

func f() {
	var g func()
	defer g()
	fmt.Println("body")
}

func main() {
	f()
}
