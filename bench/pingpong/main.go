// Command pingpong makes context switches: two goroutines, each locked to a
// thread of its own, pass a byte back and forth over two pipes (blocking
// read(2)), so every round trip puts each thread to sleep once. Prints
// "pingpong N round trips, X ns per round trip". -d 0 runs until killed.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
)

func pipe() [2]int {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		fmt.Fprintln(os.Stderr, "pingpong:", err)
		os.Exit(1)
	}
	return p
}

func main() {
	d := flag.Duration("d", 3*time.Second, "how long; 0: until killed")
	flag.Parse()
	a, b := pipe(), pipe()
	buf := []byte{1}
	go func() {
		runtime.LockOSThread()
		x := make([]byte, 1)
		for {
			syscall.Read(a[0], x)
			syscall.Write(b[1], x)
		}
	}()
	runtime.LockOSThread()
	start := time.Now()
	n := 0
	for *d == 0 || time.Since(start) < *d {
		for i := 0; i < 100; i++ {
			syscall.Write(a[1], buf)
			syscall.Read(b[0], buf)
		}
		n += 100
	}
	el := time.Since(start)
	fmt.Printf("pingpong %d round trips, %.0f ns per round trip\n", n, float64(el.Nanoseconds())/float64(n))
}
