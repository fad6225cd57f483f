package main

func main() {
	var s []int
	var m map[int]int
	var c chan int
	var str string
	v, ok := m[7]
	println(len(s), cap(s), len(m), v, ok, len(c), cap(c), len(str), str == "")
	s = append(s, 5)
	println(len(s))
	select {
	case <-c:
		println("received")
	default:
		println("default")
	}
}
