package main

import "fmt"

func main() {
	a := make(chan int, 1)
	b := make(chan int, 1)
	na, nb := 0, 0
	for i := 0; i < 100; i++ {
		a <- 1
		b <- 2
		select {
		case <-a:
			na++
			<-b
		case <-b:
			nb++
			<-a
		}
	}
	// Go's choice is random: both counts stay above 10 but with probability below 1e-16
	if na > 10 && nb > 10 && na+nb == 100 {
		fmt.Println("both chosen")
	} else {
		fmt.Println(na)
	}
}
