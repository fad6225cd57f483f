// Go twin of big_slice.gox: a slice of 1,000,000 ints.
package main

import "fmt"

func main() {
	s := make([]int, 1000000)
	fmt.Println(len(s), cap(s))
	for i := 0; i < 1000000; i += 1000 {
		s[i+999] = i
	}
	sum := 0
	for i := 999; i < 1000000; i += 1000 {
		sum += s[i]
	}
	fmt.Println(sum)
	s = append(s, 42)
	fmt.Println(len(s), cap(s), s[1000000])
}
