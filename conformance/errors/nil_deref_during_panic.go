package main

type T struct{ x int }

func g() {
	defer func() { println("g recovered:", recover() != nil) }()
	var p *T
	println(p.x)
}

func main() {
	defer func() { g() }()
	panic("a")
}
