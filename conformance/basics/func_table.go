package main

import "fmt"

type BinOp func(int64, int64) int64

func add(a int64, b int64) int64 {
	return a + b
}

func mul(a int64, b int64) int64 {
	return a * b
}

func apply(op BinOp, a int64, b int64) int64 {
	return op(a, b)
}

func main() {
	fmt.Println(apply(add, 3, 4))
	fmt.Println(apply(mul, 3, 4))
	var f func(int64, int64) int64 = add
	fmt.Println(f(2, -3))
}
