package main

import "fmt"

func main() {
	var m map[int64]int64
	v, ok := m[7]
	fmt.Println(len(m), v, ok)
	delete(m, 7)
	m[7] = 1
}
