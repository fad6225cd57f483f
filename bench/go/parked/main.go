// n goroutines parked on a receive; main closes the channel when all are parked.
// The harness reads peak RSS. Checksum = n.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
)

var started int64

func waiter(ch chan int64) {
	started++
	<-ch
}

func main() {
	n, _ := strconv.ParseInt(os.Args[1], 10, 64)
	ch := make(chan int64)
	for i := int64(0); i < n; i++ {
		go waiter(ch)
	}
	for started < n {
		runtime.Gosched()
	}
	close(ch)
	fmt.Println(started)
}
