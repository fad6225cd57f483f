package main

import (
	"fmt"
	"math"
)

// runtimeFloat is println's format of a float64 (runtime printfloat: +d.dddddde+ddd), which
// gox_debug_print writes to stdout; fmt has no verb for it (its %e has a two-digit exponent).
func runtimeFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Sprintf("%+v", f)
	}
	s := fmt.Sprintf("%+.6e", f)
	i := len(s) - 3 // the exponent's sign
	return s[:i+1] + fmt.Sprintf("%03s", s[i+1:])
}

func main() {
	var one float64 = 1
	fmt.Println(runtimeFloat(one / 3.0))
	fmt.Println(runtimeFloat(float64(3) / 2))
	var zero float64 = 0
	fmt.Println(runtimeFloat(one / zero))
	fmt.Println(runtimeFloat(-one / zero))
	var nan float64 = zero / zero
	fmt.Println(runtimeFloat(nan))
	fmt.Println(nan != nan)
}
