package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("deferred (must not print)")
	fmt.Println("before")
	os.Exit(3)
}
