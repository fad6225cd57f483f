// defer + panic + recover per iteration; checksum = sum of the recovered values.
package main

import (
	"fmt"
	"os"
	"strconv"
)

var sum int64

func catcher() {
	if r := recover(); r != nil {
		sum += r.(int64)
	}
}

func risky(i int64) {
	defer catcher()
	panic(i)
}

func main() {
	n, _ := strconv.ParseInt(os.Args[1], 10, 64)
	for i := int64(0); i < n; i++ {
		risky(i)
	}
	fmt.Println(sum)
}
