// The baseline: process start-up and exit (bench/bench_go.py subtracts it).
package main

import "fmt"

func main() { fmt.Println(0) }
