package main

type T struct{ x int }

func deref() {
	defer func() { println("recovered:", recover().(error).Error()) }()
	var p *T
	println(p.x)
}

func main() {
	deref()
	println("after")
}
