package main

import "fmt"

func main() {
	m := make(map[string]int64)
	ke := "ke"
	m[ke+"y"] = 41
	m["key"] = 42
	fmt.Println(len(m))
	v, ok := m["a key"[2:5]]
	fmt.Println(v, ok)
}
