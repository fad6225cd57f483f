package main

import (
	"fmt"
	"os"
)

func bye() {
	fmt.Println("deferred call exits")
	os.Exit(3)
}

func main() {
	defer fmt.Println("outer deferred call (must not print)")
	defer bye()
	panic("boom")
}
