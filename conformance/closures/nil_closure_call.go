package main

import "fmt"

func main() {
	var c func() int64
	fmt.Println(c())
}
