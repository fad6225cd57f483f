package main

import "fmt"

type T struct{}

func main() {
	_ = T{}
	fmt.Println("registered")
	panic("boom")
}
