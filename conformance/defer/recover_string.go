package main

import "fmt"

func catcher() {
	if r := recover(); r != nil {
		fmt.Print("recovered: ")
		fmt.Println(r)
	}
}

func risky() {
	defer catcher()
	panic("boom")
	fmt.Println("not reached")
}

func main() {
	risky()
	fmt.Println("main goes on")
}
