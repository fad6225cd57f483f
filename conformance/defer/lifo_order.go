package main

import "fmt"

func say(i int64) {
	fmt.Print("deferred ")
	fmt.Println(i)
}

func f() {
	var i int64 = 0
	for i < 3 {
		defer say(i)
		i++
	}
	fmt.Print("body ")
	fmt.Println(i)
}

func main() {
	f()
	fmt.Println("after")
}
