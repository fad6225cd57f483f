package main

func main() {
	var n chan int
	select {
	case <-n:
	case n <- 1:
	}
}
