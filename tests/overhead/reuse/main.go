// Command reuse creates goroutines in waves, each wave ending before the next
// begins, so that the runtime hands the g structs of one wave's goroutines to
// the next (gfput/gfget, runtime/proc.go): every g is reused once per wave.
// Each goroutine parks on a channel, yields once, and exits. It writes the
// truth for tests/overhead/check -once: one line per goroutine with the goid
// it read from its own stack trace. A tracer that reported a reused g under
// its previous goroutine's goid would show one goroutine with two lives and
// another with none.
//
//	reuse [-waves 200] [-per 50] -truth FILE
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// goid reads the calling goroutine's id from the header of its stack trace,
// "goroutine N [running]:".
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		if n, err := strconv.ParseInt(string(b[:i]), 10, 64); err == nil {
			return n
		}
	}
	return -1
}

func main() {
	waves := flag.Int("waves", 200, "waves of goroutines")
	per := flag.Int("per", 50, "goroutines per wave")
	truthPath := flag.String("truth", "", "write the truth here (required)")
	flag.Parse()
	if *truthPath == "" || *waves < 1 || *per < 1 {
		fmt.Fprintln(os.Stderr, "usage: reuse [-waves N] [-per N] -truth FILE")
		os.Exit(2)
	}
	f, err := os.Create(*truthPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "reuse:", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "{\"pid\":%d,\"goroutines\":%d}\n", os.Getpid(), *waves**per)
	ids := make([]int64, *per)
	base := runtime.NumGoroutine()
	for i := 0; i < *waves; i++ {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for j := 0; j < *per; j++ {
			wg.Add(1)
			go func(j int) {
				defer wg.Done()
				ids[j] = goid()
				<-start
				runtime.Gosched()
			}(j)
		}
		close(start)
		wg.Wait()
		for _, id := range ids {
			if id <= 0 {
				fmt.Fprintln(os.Stderr, "reuse: cannot read a goroutine's id")
				os.Exit(3)
			}
			fmt.Fprintf(w, "{\"goid\":%d}\n", id)
		}
	}
	// wg.Done runs before a goroutine's exit: one descheduled in between
	// (for 10 ms and more on a loaded machine) would end with the process,
	// never exiting, and the truth would want an exit no one made.
	for runtime.NumGoroutine() > base {
		time.Sleep(time.Millisecond)
	}
	if err := w.Flush(); err != nil || f.Close() != nil {
		fmt.Fprintln(os.Stderr, "reuse: cannot write the truth")
		os.Exit(1)
	}
	fmt.Printf("reuse: %d goroutines in %d waves\n", *waves**per, *waves)
}
