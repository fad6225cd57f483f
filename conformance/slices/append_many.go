// Go twin of append_many.gox: an append of several values, or of a whole slice, grows once.
package main

import "fmt"

func show(s []int) {
	fmt.Print(len(s), " ", cap(s), " [")
	for i, v := range s {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Print(v)
	}
	fmt.Println("]")
}

func main() {
	s := append([]int(nil), 1, 2, 3)
	show(s)
	s = append(s, 4)
	show(s)
	s = append(s, 5, 6, 7)
	show(s)
	m := make([]int, 4)
	m = append(m, 1, 2, 3, 4, 5) // one growth to 9: cap 10 (one at a time: 8, then 16)
	show(m)
	t := append([]int{10, 20}, s...)
	show(t)
	var e []int
	e = append(e)
	fmt.Println(e == nil)
	e = append(e, []int{}...)
	fmt.Println(e == nil)
	u := append(s[:2], s[5:]...) // within capacity: into s's own array
	show(u)
	show(s)
	ss := append([]string(nil), "a", "b", "c")
	fmt.Println(len(ss), cap(ss))
	ss = append(ss, "d")
	fmt.Println(len(ss), cap(ss), ss[3])
	var r []interface{}
	r = append(r, make([]interface{}, 3)...)
	fmt.Println(len(r), cap(r))
}
