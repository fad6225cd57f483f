package main

import "fmt"

func main() {
	for k, v := range "a€b" {
		fmt.Println(k, v)
	}
}
