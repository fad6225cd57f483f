package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	tk := time.NewTicker(100 * time.Millisecond)
	time.Sleep(350 * time.Millisecond)
	fmt.Println("len", len(tk.C))
	fmt.Println("tick", int64((<-tk.C).Sub(start)/(100*time.Millisecond)))
	fmt.Println("tick", int64((<-tk.C).Sub(start)/(100*time.Millisecond)))
	tk.Stop()
	time.Sleep(200 * time.Millisecond)
	fmt.Println("stopped", len(tk.C))
}
