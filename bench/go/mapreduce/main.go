// Parallel map-reduce (as mapreduce.gox): 8 mappers over n items each; item i becomes its
// decimal string built a digit at a time by concatenation, then []byte(s); the bytes are
// summed and len(s) appended to a slice folded every 1,024 items.  Checksum: the sum over
// the 8n items of (the bytes of str(i)) + len(str(i)).
package main

import (
	"fmt"
	"os"
	"strconv"
)

// sink keeps each item's byte slice on the heap, as the .gox program's are.
var sink [8][]byte

func itoa(v int64) string {
	s := string(rune('0' + v%10))
	v /= 10
	for v > 0 {
		s = string(rune('0'+v%10)) + s
		v /= 10
	}
	return s
}

func fold(lens []int64) int64 {
	var sum int64
	for _, l := range lens {
		sum += l
	}
	return sum
}

func mapper(k, lo, hi int64, out chan<- int64) {
	var acc int64
	var lens []int64
	for i := lo; i < hi; i++ {
		s := itoa(i)
		b := []byte(s)
		sink[k] = b
		for _, c := range b {
			acc += int64(c)
		}
		lens = append(lens, int64(len(s)))
		if len(lens) == 1024 {
			acc += fold(lens)
			lens = nil
		}
	}
	out <- acc + fold(lens)
}

func main() {
	n, _ := strconv.ParseInt(os.Args[1], 10, 64)
	const mappers = 8
	out := make(chan int64)
	for k := int64(0); k < mappers; k++ {
		go mapper(k, k*n, (k+1)*n, out)
	}
	var total int64
	for k := 0; k < mappers; k++ {
		total += <-out
	}
	fmt.Println(total)
}
