// Go twin of large_bytes.gox: []byte(s) of a string past the old object limit, Go's capacity.
package main

import (
	"fmt"
	"strings"
)

var sink []byte // escapes: the conversion is a heap allocation

func main() {
	s := "yyyyyyyy" + strings.Repeat("xxxxxxxx", 1024*63)
	fmt.Println(len(s))
	sink = []byte(s)
	fmt.Println(cap(sink), string(sink[516103]))
}
