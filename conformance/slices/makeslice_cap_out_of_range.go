// Go twin of makeslice_cap_out_of_range.gox: a capacity past maxAlloc, a length within it.
package main

func main() {
	n := 1<<44 + 1 // 16-byte strings: 2^48 + 16 bytes
	_ = make([]string, 1, n)
}
