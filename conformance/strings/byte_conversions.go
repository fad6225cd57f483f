// Go twin of byte_conversions.gox: []byte(s) and string(b).  The slices escape to the heap
// (kept in sink), where a []byte's capacity is its length rounded up to a malloc size class.
package main

import "fmt"

var sink [][]byte

func main() {
	for _, s := range []string{"", "a", "hello", "hello, world!!", "0123456789abcdefghijklmnopqrstuvwxyz0123"} {
		b := []byte(s)
		sink = append(sink, b)
		fmt.Println(len(b), cap(b), b == nil, string(b) == s)
	}
	b := []byte("h\xffllo\xe4\xb8")
	sink = append(sink, b)
	b[0] = 'H'
	t := string(b)
	b[1] = 'e'
	fmt.Println(len(t), t[0], t[1], t[6], string(b[:2]), string(b[2:4]))
	var nb []byte
	fmt.Println(len(string(nb)), string(nb) == "")
}
