// Capture Go's slice capacities after append, for tests/test_append_go.py.
//
//	go run tests/data/go_growth.go > tests/data/go_growth.json
//
// Recorded with Go 1.19.8 on linux/amd64.  "sequences": appending one element at a time to a
// nil slice of each element size, up to 2100 elements, every capacity seen in order.  "bulk":
// [size, len == cap before, elements added at once, cap after] for append(make([]T, c), t...),
// which grows once to hold c + k elements.
package main

import (
	"encoding/json"
	"os"
	"runtime"
)

type rec struct {
	size int
	seq  func() []int
	bulk func(c, k int) int
}

func seq[T any]() []int {
	var s []T
	var zero T
	caps := []int{}
	for i := 0; i < 2100; i++ {
		s = append(s, zero)
		if len(caps) == 0 || cap(s) != caps[len(caps)-1] {
			caps = append(caps, cap(s))
		}
	}
	return caps
}

func bulk[T any](c, k int) int {
	s := make([]T, c)
	t := make([]T, k)
	return cap(append(s, t...))
}

func mk[T any](size int) rec { return rec{size, seq[T], bulk[T]} }

func main() {
	recs := []rec{
		mk[struct{}](0), mk[byte](1), mk[int16](2), mk[[3]byte](3), mk[int32](4), mk[int](8),
		mk[[3]int32](12), mk[string](16), mk[[]int](24), mk[[4]int](32), mk[[5]int](40),
		mk[[6]int](48), mk[[7]int](56), mk[[8]int](64), mk[[9]int](72), mk[[10]int](80),
		mk[[12]int](96), mk[[16]int](128), mk[[20]int](160), mk[[32]int](256), mk[[125]int](1000),
	}
	sizes := map[int]bool{1: true, 2: true, 8: true, 16: true, 24: true, 40: true, 1000: true}
	caps := []int{0, 1, 2, 3, 5, 7, 8, 9, 31, 100, 255, 256, 257, 300, 511, 512, 513, 1000, 1024,
		4096, 5000, 10000, 65531, 100000, 1 << 20}
	out := map[string]any{"go_version": runtime.Version(), "goarch": runtime.GOARCH}
	seqs := map[int][]int{}
	rows := [][4]int{}
	for _, r := range recs {
		seqs[r.size] = r.seq()
		if !sizes[r.size] {
			continue
		}
		for _, c := range caps {
			if c*r.size > 64<<20 {
				continue
			}
			for _, k := range []int{1, 2, 3, c, c + 1, 2 * c, 2*c + 1, 3 * c} {
				if k >= 1 {
					rows = append(rows, [4]int{r.size, c, k, r.bulk(c, k)})
				}
			}
		}
	}
	out["sequences"] = seqs
	out["bulk"] = rows
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
