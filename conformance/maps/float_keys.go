package main

import "fmt"

func main() {
	m := make(map[float64]int64)
	zero := 0.0
	negzero := -zero
	nan := zero / zero
	m[zero] = 1
	v, ok := m[negzero]
	fmt.Println(v, ok)
	m[negzero] = 1
	fmt.Println(len(m))
	m[nan] = 2
	m[nan] = 3
	fmt.Println(len(m) - 1)
	v, ok = m[nan]
	fmt.Println(v, ok)
}
