package main

import "fmt"

func main() {
	var big int64 = 9223372036854775807
	fmt.Println(big + 1)
	var z uint64 = 0
	fmt.Println(z - 1)
	var m int64 = -9223372036854775808
	fmt.Println(m / -1)
	fmt.Println(m % -1)
}
