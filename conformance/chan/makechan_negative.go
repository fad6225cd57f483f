package main

func main() {
	var n int64 = -1
	_ = make(chan int, n)
}
