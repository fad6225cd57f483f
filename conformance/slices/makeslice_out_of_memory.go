// Go twin of makeslice_out_of_memory.gox: within maxAlloc, but more than any machine's memory.
package main

import "fmt"

func main() {
	n := 1 << 44 // 8 bytes each: 128 TiB
	fmt.Println("before")
	s := make([]int64, n)
	fmt.Println(len(s))
}
