// Go twin of large_runes.gox: []rune(s) past the old object limit, Go's capacity.
package main

import (
	"fmt"
	"strings"
)

var sink []rune // escapes: the conversion is a heap allocation

func main() {
	s := strings.Repeat("x", 131071) + "é"
	fmt.Println(len(s))
	sink = []rune(s)
	fmt.Println(len(sink), cap(sink), sink[131071])
}
