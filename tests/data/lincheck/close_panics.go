// Go twin of close_panics.gox.
package main

import (
	"fmt"
	"runtime"
)

func catcher(done chan int) {
	recover()
	done <- 1
}

func sender(ch chan int, base int, done chan int) {
	for i := 0; i < 50; i++ {
		ch <- base + i
	}
	done <- 0
}

func receiver(ch chan int, out chan int) {
	n := 0
	ok := true
	for ok {
		_, ok = <-ch
		if ok {
			n++
		}
	}
	out <- n
}

func sendClosed(ch chan int, done chan int) {
	defer catcher(done)
	ch <- 7
}

func closeClosed(ch chan int, done chan int) {
	defer catcher(done)
	close(ch)
}

func selectSendClosed(ch chan int, done chan int) {
	defer catcher(done)
	select {
	case ch <- 8:
	}
}

func sendFull(ch chan int, done chan int) {
	defer catcher(done)
	ch <- 9
}

func waitClose(ch chan int, out chan int) {
	v, ok := <-ch
	out <- v
	if ok {
		out <- 1
	} else {
		out <- 0
	}
}

func main() {
	ch := make(chan int, 2)
	done := make(chan int)
	out := make(chan int)
	go sender(ch, 100, done)
	go sender(ch, 200, done)
	for k := 0; k < 4; k++ {
		go receiver(ch, out)
	}
	<-done
	<-done
	close(ch)
	n := 0
	for k := 0; k < 4; k++ {
		n += <-out
	}
	full := make(chan int, 1)
	full <- 1
	go sendClosed(ch, done)
	go closeClosed(ch, done)
	go selectSendClosed(ch, done)
	go sendFull(full, done)
	u := make(chan int)
	go waitClose(u, out)
	runtime.Gosched()
	close(full)
	close(u)
	r := 0
	for k := 0; k < 4; k++ {
		r += <-done
	}
	wv := <-out
	wok := <-out
	fmt.Println("received", n, "recovered", r, "woken", wv, wok != 0)
}
