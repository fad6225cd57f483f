// Go twin of makeslice_len_out_of_range.gox: more than maxAlloc (2^48 bytes) of elements.
package main

import "fmt"

func main() {
	n := 1<<45 + 1 // 8 bytes each: 2^48 + 8 bytes
	fmt.Println("before")
	_ = make([]int64, n)
}
