package main

import "fmt"

func main() {
	m := make(map[int64]int64)
	m[1] = 10
	m[2] = 20
	fmt.Println(len(m))
	v, ok := m[1]
	fmt.Println(v, ok)
	v, ok = m[3]
	fmt.Println(v, ok)
	delete(m, 1)
	fmt.Println(len(m))
	v, ok = m[1]
	fmt.Println(v, ok)
}
