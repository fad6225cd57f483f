// Go twin of append_growth.gox: len/cap after each of ten appends to a nil []int, then the sum.
package main

import "fmt"

func main() {
	var s []int
	for i := 1; i <= 10; i++ {
		s = append(s, i)
		fmt.Print(len(s), "/", cap(s))
		if i < 10 {
			fmt.Print(" ")
		}
	}
	fmt.Println()
	sum := 0
	for _, v := range s {
		sum += v
	}
	fmt.Println(sum)
}
