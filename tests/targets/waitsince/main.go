// Command waitsince parks two goroutines, one before a forced GC and one
// after it, and says what it knows of their waits, for tests/e2e/waitsince.sh.
//
// Go keeps the start of a wait in g.waitsince only once a GC's mark phase has
// seen the goroutine blocked (runtime/mgcmark.go markroot), and sets it to
// work.tstart, which is the start of the previous GC's mark termination
// (mgc.go gcMark; 0 before the first GC ends, and then waitsince stays 0).
// So main.beforeGC, parked before two runtime.GC calls, gets the time of the
// first one's mark termination, between the two clock readings printed around
// it, and main.afterGC, parked after them, has none. GOGC=off (set by the test)
// keeps any other GC from running meanwhile.
//
// Lines on stdout, times in CLOCK_MONOTONIC ns (Go's nanotime, the tracer's clock):
//
//	goid before|after N     the goroutines
//	gc T0 T1                runtime.GC ran between T0 and T1
//	ready                   both parked, the GC done
//	mono T                  answer to a line "mark" on stdin
//
// It exits at the end of stdin.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

func mono() int64 {
	var ts syscall.Timespec
	// CLOCK_MONOTONIC is 1 (linux/time.h).
	if _, _, e := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, 1,
		uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		panic(e)
	}
	return ts.Nano()
}

//go:noinline
func beforeGC(c chan int) { <-c }

//go:noinline
func afterGC(c chan int) { <-c }

// parked waits until the goroutine running fn is parked on a channel receive,
// as its runtime.Stack says, and returns its goid.
func parked(fn string) int64 {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		for _, g := range bytes.Split(buf[:n], []byte("\n\n")) {
			if !bytes.Contains(g, []byte("main."+fn+"(")) ||
				!bytes.Contains(g, []byte("[chan receive")) {
				continue
			}
			f := bytes.Fields(g)
			id, err := strconv.ParseInt(string(f[1]), 10, 64)
			if err == nil {
				return id
			}
		}
		time.Sleep(time.Millisecond)
	}
}

func main() {
	a, b := make(chan int), make(chan int)
	go beforeGC(a)
	fmt.Println("goid before", parked("beforeGC"))
	t0 := mono()
	runtime.GC()
	t1 := mono()
	runtime.GC()
	fmt.Println("gc", t0, t1)
	go afterGC(b)
	fmt.Println("goid after", parked("afterGC"))
	// A wait longer than an attach takes: Go's figure and the attach's then differ.
	time.Sleep(3 * time.Second)
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "mark" {
			fmt.Println("mono", mono())
		}
	}
	close(a)
	close(b)
}
