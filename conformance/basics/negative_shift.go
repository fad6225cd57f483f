package main

import "fmt"

func main() {
	var x int64 = 1
	var c int64 = -1
	fmt.Println(x << c)
}
