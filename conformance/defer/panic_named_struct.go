package main

type T struct{ a, b int }

func main() {
	panic(T{1, 2})
}
