package main

func main() {
	s := make([]int64, 3, 10)
	s[2] = 7
	i := 3
	println(s[i])
}
