package main

type T struct{ x int }

func deref() {
	defer func() { recover() }()
	var p *T
	println(p.x)
}

func main() {
	deref()
	panic("after")
}
