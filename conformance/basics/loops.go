package main

import "fmt"

func main() {
	var sum int64 = 0
	for i := int64(0); i < 10; i++ {
		if i%2 == 0 {
			continue
		}
		sum += i
	}
	fmt.Println(sum)
	var n int64 = 0
	for {
		if n > 6 {
			break
		}
		fmt.Print(n)
		if n < 6 {
			fmt.Print(" ")
		}
		n++
	}
	fmt.Println("")
	var count int64 = 0
	for a := int64(0); a < 3; a++ {
		for b := int64(0); b < 100; b++ {
			if b == 3 {
				break
			}
			count++
		}
	}
	fmt.Println(count)
}
