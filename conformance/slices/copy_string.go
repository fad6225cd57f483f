// Go twin of copy_string.gox: copy between overlapping slices, and copy and append from a
// string into a []byte.
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
	c := []int{1, 2, 3, 4, 5}
	fmt.Println(copy(c[1:], c))
	show(c)
	c = []int{1, 2, 3, 4, 5}
	fmt.Println(copy(c, c[2:]))
	show(c)
	bb := []byte("abcdef")
	fmt.Println(copy(bb[2:], bb), string(bb))
	x := make([]byte, 3, 10)
	fmt.Println(copy(x, "hello"), string(x))
	fmt.Println(copy(x, ""), copy([]byte(nil), "abc"))
	b := []byte("abcdefgh")
	fmt.Println(copy(b[3:5], "XYZ"), string(b))
	y := append([]byte(nil), "hello"...)
	fmt.Println(len(y), cap(y))
	y = append(y, " world"...)
	fmt.Println(len(y), cap(y), string(y))
	z := append([]byte(nil), ""...)
	fmt.Println(z == nil)
}
