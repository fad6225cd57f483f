package main

var ch chan int

func closer() {
	close(ch)
}

func main() {
	ch = make(chan int)
	never := make(chan int)
	go closer()
	select {
	case ch <- 1:
	case <-never:
	}
}
