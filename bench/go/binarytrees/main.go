// binary-trees (the benchmarks game's algorithm, single-threaded as the .gox port);
// checksum = the sum of every check.
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

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	minDepth := 4
	maxDepth := n
	if minDepth+2 > n {
		maxDepth = minDepth + 2
	}
	total := bottomUp(maxDepth + 1).check()
	longLived := bottomUp(maxDepth)
	for d := minDepth; d <= maxDepth; d += 2 {
		iters := 1 << (maxDepth - d + minDepth)
		for i := 0; i < iters; i++ {
			total += bottomUp(d).check()
		}
	}
	total += longLived.check()
	fmt.Println(total)
}
