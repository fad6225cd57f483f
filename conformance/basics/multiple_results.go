package main

import "fmt"

func divmod(a int64, b int64) (int64, int64) {
	return a / b, a % b
}

func forward(a int64, b int64) (int64, int64) {
	return divmod(a, b)
}

func main() {
	var q, r int64
	q, r = divmod(10, 3)
	fmt.Println(q, r)
	_, r = divmod(9, 5)
	fmt.Println(r)
	q, r = forward(7, 2)
	fmt.Println(q, r)
}
