// Go twin of big_string.gox: a string of 2.5 MB by concatenation, converted to []byte and back.
package main

import "fmt"

var sink []byte // escapes: the conversion is a heap allocation

func main() {
	s := "0123456789"
	for i := 0; i < 18; i++ {
		s = s + s
	}
	n := len(s)
	fmt.Println(n, s[0], s[n-1])
	sink = []byte(s)
	fmt.Println(len(sink), cap(sink))
	t := string(sink)
	fmt.Println(len(t), t[n-4:n])
}
