// Go twin of select_mix.gox.
package main

import "fmt"

func sender(a, c chan int, base int) {
	for i := 0; i < 100; i++ {
		select {
		case a <- base + i:
		case c <- base + i:
		}
	}
}

func plain(b chan int, base int) {
	for i := 0; i < 100; i++ {
		b <- base + i
	}
}

func receiver(a, b, c chan int, quota int, out chan int) {
	got, sum := 0, 0
	for got < quota {
		var v int
		select {
		case v = <-a:
		case v = <-b:
		case v = <-c:
		}
		sum += v
		got++
		if got < quota {
			select {
			case v = <-c:
				sum += v
				got++
			default:
			}
		}
		_ = len(c)
		_ = cap(c)
	}
	out <- sum
}

func main() {
	a, b, c := make(chan int), make(chan int), make(chan int, 2)
	out := make(chan int)
	for k := 0; k < 3; k++ {
		go sender(a, c, k*1000)
	}
	go plain(b, 5000)
	go plain(b, 6000)
	go receiver(a, b, c, 200, out)
	go receiver(a, b, c, 150, out)
	go receiver(a, b, c, 150, out)
	total := 0
	for k := 0; k < 3; k++ {
		total += <-out
	}
	fmt.Println("total", total)
	close(a)
	close(b)
	close(c)
	va, oka := <-a
	vb, okb := <-b
	vc, okc := <-c
	fmt.Println("closed", va, oka, vb, okb, vc, okc)
}
