package main

import "fmt"

func main() {
	s := make([]int64, 4, 4)
	lo, mid, hi := 1, 2, 3
	t := s[lo:mid:hi]
	fmt.Println(len(t), cap(t))
	hi = 8
	t = s[0:1:hi]
	_ = t
}
