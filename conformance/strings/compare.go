package main

import (
	"fmt"
	"strings"
)

func main() {
	a := "a"
	ab := a + "b"
	fmt.Println(ab == "ab")
	fmt.Println("abc" < "abd", "ab" > "abc")
	fmt.Println(strings.Compare("a", "b"), strings.Compare(ab, "ab"), strings.Compare("b", "a"))
	fmt.Println("" < "a")
}
