// Go twin of big_map.gox: a map of 100,000 entries.
package main

import "fmt"

func main() {
	m := map[int]int{}
	for k := 0; k < 100000; k++ {
		m[k] = k * 2
	}
	a, _ := m[0]
	b, _ := m[12345]
	c, ok := m[99999]
	fmt.Println(len(m), a, b, c, ok)
	for k := 1; k < 100000; k += 2 {
		delete(m, k)
	}
	fmt.Println(len(m))
}
