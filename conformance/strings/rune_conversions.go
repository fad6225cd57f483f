// Go twin of rune_conversions.gox: []rune(s) decodes as `for range s` does (each byte of invalid
// UTF-8 is one U+FFFD); string(runes) and string(r) encode, U+FFFD for what is not a Unicode
// scalar value.  The []rune escapes to the heap (kept in sink).
package main

import "fmt"

var sink [][]rune

func main() {
	for _, s := range []string{"", "a", "héllo", "héllo, wörld!!", "\xff\xfe\xed\xa0\x80a\xf4\x90\x80\x80\xe2\x82"} {
		r := []rune(s)
		sink = append(sink, r)
		fmt.Print(len(r), " ", cap(r), " ", r == nil, ":")
		for _, c := range r {
			fmt.Print(" ", c)
		}
		fmt.Println()
	}
	fmt.Println(string([]rune{0x41, -1, 0xD800, 0x10FFFF, 0x110000, 0x4e16}))
	for _, r := range []int64{-1, 0x41, 0xe9, 0xD800, 0xDFFF, 0xE000, 0x10FFFF, 0x110000, 1 << 40, -1 << 63} {
		s := string(r)
		fmt.Print(len(s))
		for i := 0; i < len(s); i++ {
			fmt.Print(" ", s[i])
		}
		fmt.Println()
	}
	fmt.Println(string(rune(0x4e16)) + string(rune(0x754c)))
}
