package main

import (
	"fmt"
	"runtime"
	"strings"
)

var junk string

func holder(i int64, start chan int64, done chan int64) {
	s := "value " + "0123456789"[i%10:i%10+1]
	<-start
	want := "0123456789"[i%10 : i%10+1]
	if strings.Compare(s[6:7], want) == 0 && len(s) == 7 {
		done <- 1
	} else {
		done <- 0
	}
}

func main() {
	var n int64 = 1500
	start := make(chan int64)
	done := make(chan int64)
	for i := int64(0); i < n; i++ {
		go holder(i, start, done)
	}
	runtime.Gosched()
	runtime.GC()
	j := "junk"
	for k := 0; k < 2000; k++ {
		junk = j + "junk"
	}
	junk = ""
	runtime.GC()
	close(start)
	var ok int64 = 0
	for i := int64(0); i < n; i++ {
		ok += <-done
	}
	fmt.Print(ok)
	fmt.Println(" intact")
}
