// Generator input for tools/gen-gotables.sh: a small program whose build
// with each Go toolchain carries that release's runtime.g/m/p layout in its
// DWARF and its runtime.waitReasonStrings in .data. It parks goroutines in a
// few common ways so that the binary looks like a typical target, then exits.
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	ch := make(chan int)
	sum := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Millisecond)
			ch <- i
			mu.Lock()
			sum += i
			mu.Unlock()
		}(i)
	}
	got := 0
	for i := 0; i < 8; i++ {
		got += <-ch
	}
	wg.Wait()
	if got != sum {
		fmt.Fprintf(os.Stderr, "gotables-sample: sums differ: %d != %d\n", got, sum)
		os.Exit(1)
	}
	fmt.Println("gotables-sample", sum)
}
