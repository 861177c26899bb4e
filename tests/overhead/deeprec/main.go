// Command deeprec makes goroutines recurse deeply, so that their stacks grow
// (runtime.newstack, copystack) many times, with the growth happening inside
// the prologue of a function that has Go's stack check: main.leaf is called
// at every level before the recursion goes one deeper, at the same stack
// depth as the next level, so it is leaf's check that fails first. Each such
// call runs leaf's prologue twice (morestack re-enters it at its entry).
//
//	deeprec [-n 200] [-depth 400]
//	deeprec: 200 goroutines, 80200 calls of main.leaf
package main

import (
	"flag"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var calls int64

//go:noinline
func sink(b []byte) int { return len(b) }

// leaf has a frame and a call, so the compiler gives it a stack check.
//
//go:noinline
func leaf(n int) int {
	var buf [48]byte
	buf[n%48] = byte(n)
	atomic.AddInt64(&calls, 1)
	return sink(buf[:]) + n
}

//go:noinline
func rec(depth, n int) int {
	var pad [96]byte
	pad[depth%96] = byte(depth)
	s := leaf(n)
	if depth == 0 {
		return s + int(pad[0])
	}
	return rec(depth-1, n) + s + int(pad[depth%96])
}

func main() {
	n := flag.Int("n", 200, "goroutines")
	depth := flag.Int("depth", 400, "recursion depth of each")
	flag.Parse()

	var wg sync.WaitGroup
	var total int64
	for i := 0; i < *n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			atomic.AddInt64(&total, int64(rec(*depth, i)))
		}(i)
	}
	wg.Wait()
	// wg.Done runs before a goroutine exits: wait for the exits themselves,
	// so that the trace holds every one of them.
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() > 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	fmt.Printf("deeprec: %d goroutines, %d calls of main.leaf\n", *n, atomic.LoadInt64(&calls))
}
