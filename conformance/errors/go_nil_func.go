package main

type F func()

func main() {
	var f F
	go f()
}
