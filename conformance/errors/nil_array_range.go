package main

func main() {
	var a *[3]int
	for i, v := range a {
		println(i, v)
	}
}
