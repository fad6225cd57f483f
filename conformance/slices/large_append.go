// Go twin of large_append.gox: an append past the old 65535-slot object grows to Go's capacity.
package main

import "fmt"

func main() {
	s := make([]int, 65531)
	fmt.Println("full")
	s = append(s, 1, 2)
	fmt.Println(len(s), cap(s), s[65532])
}
