package main

func ponger(ping, pong chan int) {
	for i := 0; i < 3; i++ {
		n := <-ping
		println("pong", n)
		pong <- n + 1
	}
}

func main() {
	ping, pong := make(chan int), make(chan int)
	go ponger(ping, pong)
	n := 0
	for i := 0; i < 3; i++ {
		println("ping", n)
		ping <- n
		n = <-pong
	}
	println("done", n)
}
