package main

func main() {
	var a *[3]int
	i := 5
	println(a[i%3])
}
