package main

import (
	"fmt"
	"unicode/utf8"
)

func main() {
	s := "hé世界"
	pos, n := 0, 0
	for pos < len(s) {
		r, w := utf8.DecodeRuneInString(s[pos:])
		fmt.Println(r, w)
		pos += w
		n++
	}
	fmt.Println(n)
}
