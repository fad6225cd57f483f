// Command gen_unicode_tables writes gox_abi/unicode_tables.py from Go's own tables,
// so the reference runtime uses exactly the Unicode data of the Go release that generated it.
//
//	go run tools/gen_unicode_tables.go > gox_abi/unicode_tables.py
package main

import (
	"fmt"
	"runtime"
	"strconv"
	"unicode"
)

func main() {
	fmt.Println(`"""Unicode data for the stdlib externs, generated from Go's tables; do not edit.`)
	fmt.Println()
	fmt.Println("Regenerate with ``go run tools/gen_unicode_tables.go > gox_abi/unicode_tables.py``.")
	fmt.Println()
	fmt.Println("CASE_RANGES is Go's unicode.CaseRanges: (lo, hi, delta_upper, delta_lower, delta_title),")
	fmt.Println("sorted by lo; a delta of UPPER_LOWER means an alternating Upper/Lower sequence.")
	fmt.Println("PRINT_RANGES are the inclusive rune ranges where Go's strconv.IsPrint is true.")
	fmt.Println(`"""`)
	fmt.Println()
	fmt.Println("from __future__ import annotations")
	fmt.Println()
	fmt.Printf("GO_VERSION = %q\n", runtime.Version())
	fmt.Printf("UNICODE_VERSION = %q\n", unicode.Version)
	fmt.Printf("UPPER_LOWER = %d\n", unicode.UpperLower)
	fmt.Println()
	fmt.Println("CASE_RANGES: tuple[tuple[int, int, int, int, int], ...] = (")
	for _, cr := range unicode.CaseRanges {
		fmt.Printf("    (0x%04X, 0x%04X, %d, %d, %d),\n", cr.Lo, cr.Hi, cr.Delta[0], cr.Delta[1], cr.Delta[2])
	}
	fmt.Println(")")
	fmt.Println()
	fmt.Println("PRINT_RANGES: tuple[tuple[int, int], ...] = (")
	start := -1
	for r := 0; r <= unicode.MaxRune+1; r++ {
		p := r <= unicode.MaxRune && strconv.IsPrint(rune(r))
		if p && start < 0 {
			start = r
		} else if !p && start >= 0 {
			fmt.Printf("    (0x%04X, 0x%04X),\n", start, r-1)
			start = -1
		}
	}
	fmt.Println(")")
}
