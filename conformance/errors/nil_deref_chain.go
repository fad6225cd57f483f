package main

type T struct{ x int }
type F float64
type B bool

func main() {
	defer func() {
		recover()
		defer func() {
			recover()
			defer func() {
				recover()
				panic(B(true))
			}()
			panic(F(1.5))
		}()
		var p *T
		println(p.x)
	}()
	panic(T{1})
}
