package main

import "fmt"

type F func()

func catcher() {
	if r := recover(); r != nil {
		fmt.Print("recovered: ")
		fmt.Println(r)
	}
}

func risky() {
	var f F = catcher
	defer f()
	panic("boom")
}

func main() {
	risky()
	fmt.Println("main goes on")
}
