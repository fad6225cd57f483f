// Spawning: n goroutines spawned, run and retired; main yields until all have run.
// Checksum = 0 + 1 + ... + (n-1).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
)

var sum, done int64 // GOMAXPROCS=1 and no preemption point in child: no data race in practice

func child(i int64) {
	sum += i
	done++
}

func main() {
	n, _ := strconv.ParseInt(os.Args[1], 10, 64)
	for i := int64(0); i < n; i++ {
		go child(i)
	}
	for done < n {
		runtime.Gosched()
	}
	fmt.Println(sum)
}
