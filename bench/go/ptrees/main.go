// Parallel binary-trees (the benchmarks game's Go #2 shape, as ptrees.gox): one goroutine per
// depth, results over a channel; checksum = the sum of every check.
package main

import (
	"fmt"
	"os"
	"strconv"
)

type Node struct{ left, right *Node }

func bottomUp(depth int) *Node {
	n := &Node{}
	if depth <= 0 {
		return n
	}
	n.left = bottomUp(depth - 1)
	n.right = bottomUp(depth - 1)
	return n
}

func (n *Node) check() int64 {
	if n.left == nil {
		return 1
	}
	return 1 + n.left.check() + n.right.check()
}

func depthWorker(d, iters int, out chan<- int64) {
	var sum int64
	for i := 0; i < iters; i++ {
		sum += bottomUp(d).check()
	}
	out <- sum
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	minDepth := 4
	maxDepth := n
	if minDepth+2 > n {
		maxDepth = minDepth + 2
	}
	total := bottomUp(maxDepth + 1).check()
	longLived := bottomUp(maxDepth)
	out := make(chan int64)
	workers := 0
	for d := minDepth; d <= maxDepth; d += 2 {
		go depthWorker(d, 1<<(maxDepth-d+minDepth), out)
		workers++
	}
	for k := 0; k < workers; k++ {
		total += <-out
	}
	total += longLived.check()
	fmt.Println(total)
}
