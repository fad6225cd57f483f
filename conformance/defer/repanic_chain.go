package main

func second() {
	panic("second")
}

func main() {
	defer second()
	panic("first")
}
