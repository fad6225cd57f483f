package main

type T struct{ x int }
type F float64
type B bool

func innermost() {
	recover()
	panic(B(true))
}

func inner() {
	recover()
	defer innermost()
	panic(F(1.5))
}

func outer() {
	recover()
	defer inner()
	var p *T
	println(p.x)
}

func main() {
	defer outer()
	panic(T{1})
}
