package main

type T struct{ x, y int }

func main() {
	var p *T
	p.y = 7
	println(1)
}
