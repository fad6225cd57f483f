package main

type T struct{ a, b int }
type Code int
type F float64
type B bool

func main() {
	defer func() {
		recover()
		defer func() {
			recover()
			defer func() {
				recover()
				panic(T{1, 2})
			}()
			panic(B(true))
		}()
		panic(F(1.5))
	}()
	panic(Code(-7))
}
