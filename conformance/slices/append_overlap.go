// Go twin of append_overlap.gox: append of a slice that overlaps the destination, and appends
// within capacity that share the array.
package main

import "fmt"

func show(s []int) {
	fmt.Print("[")
	for i, v := range s {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Print(v)
	}
	fmt.Println("]")
}

func main() {
	a := []int{1, 2, 3, 4, 5, 0, 0, 0}
	s := a[:5]
	s = append(s[:2], s[1:5]...) // within capacity: copied as by memmove
	show(s)
	show(a)
	a2 := []int{1, 2, 3, 4}
	s2 := append(a2, a2[1:]...) // beyond capacity: a new array, a2 unchanged
	show(s2)
	fmt.Println(len(s2), cap(s2))
	show(a2)
	base := make([]int, 3, 10)
	p := append(base, 7)
	q := append(base, 8) // the same array: p[3] is 8 too
	fmt.Println(p[3], q[3])
	b := []byte("abcdef")
	r := append(b[:1], b[:5]...)
	fmt.Println(string(r), string(b))
}
