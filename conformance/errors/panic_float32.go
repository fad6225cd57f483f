package main

func main() {
	panic(float32(1.5))
}
