package main

import "fmt"

// recoverWord is the .gox's s0, the first slot of recover's result: 0 for nil
func recoverWord(r interface{}) int {
	if r == nil {
		return 0
	}
	return 1
}

func helper() {
	r := recover()
	fmt.Print("helper saw ")
	fmt.Println(recoverWord(r))
}

func indirect() {
	helper()
}

func f() {
	defer indirect()
	panic("still panicking")
}

func main() {
	r := recover()
	fmt.Println(recoverWord(r))
	f()
}
