package main

import "fmt"

func main() {
	m := make(map[int64]int64)
	for i := int64(1); i <= 100; i++ {
		m[i] = i * 10
	}
	var n, sum int64
	for k, v := range m {
		if v != k*10 {
			fmt.Println("wrong value")
		}
		n++
		sum += k
	}
	fmt.Println(n, sum)
}
