package main

func worker() {
	panic("worker failed")
}

func main() {
	ch := make(chan int)
	go worker()
	<-ch
}
