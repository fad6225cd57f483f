package main

import "fmt"

type F func()

func helper() {
	// recover called by a function the deferred call calls, not by the deferred call: nil
	if recover() == nil {
		fmt.Println("helper: recover returned nil")
	} else {
		fmt.Println("helper: recovered (wrong)")
	}
}

func deferred() {
	helper()
}

func main() {
	var f F = deferred
	defer f()
	panic("boom")
}
