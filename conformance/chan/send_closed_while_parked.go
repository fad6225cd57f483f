package main

var ch chan int

func closer() {
	close(ch)
}

func main() {
	ch = make(chan int)
	go closer()
	ch <- 1
	println("not reached")
}
