package main

import "fmt"

func show(a int64, b int64) {
	fmt.Println(a/b, a%b)
}

func main() {
	show(-7, 2)
	show(7, -2)
	show(-7, -2)
	show(7, 2)
}
