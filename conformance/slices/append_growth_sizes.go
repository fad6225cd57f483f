// Go twin of append_growth_sizes.gox: the capacities Go gives appending one element at a time
// to a nil []byte (1-byte elements), []int (8) and []string (16), up to 2100 elements.
package main

import "fmt"

func main() {
	var b []byte
	last := 0
	for i := 0; i < 2100; i++ {
		b = append(b, byte(i))
		if cap(b) != last {
			if last > 0 {
				fmt.Print(" ")
			}
			last = cap(b)
			fmt.Print(last)
		}
	}
	fmt.Println()
	sum := 0
	for _, x := range b {
		sum += int(x)
	}
	fmt.Println(len(b), sum)

	var n []int
	last = 0
	for i := 0; i < 2100; i++ {
		n = append(n, i)
		if cap(n) != last {
			if last > 0 {
				fmt.Print(" ")
			}
			last = cap(n)
			fmt.Print(last)
		}
		if i == 512 {
			fmt.Print(" (513: ", len(n), "/", cap(n), ")")
		}
	}
	fmt.Println()

	var s []string
	last = 0
	for i := 0; i < 2100; i++ {
		s = append(s, "x")
		if cap(s) != last {
			if last > 0 {
				fmt.Print(" ")
			}
			last = cap(s)
			fmt.Print(last)
		}
	}
	fmt.Println()
	fmt.Println(len(s), s[2099])
}
