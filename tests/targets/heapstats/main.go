// heapstats: ground truth for the heap statistics xgotop-tui reads from a
// target's memory (tests/e2e/heapstats.sh). It allocates objects of many
// sizes (some kept, most garbage), runs a GC, then prints what its own
// runtime/metrics say, one line each:
//
//	metric NAME VALUE
//	alloc UPPER COUNT   (/gc/heap/allocs-by-size:bytes, UPPER: exclusive bound, "inf")
//	free UPPER COUNT    (/gc/heap/frees-by-size:bytes)
//	ready
//
// and then waits on stdin, allocating nothing, until it is closed. With
// -busy it does not print but allocates and reads its runtime/metrics
// without pause until stdin is closed (consistentHeapStats.read merging its
// generations all the time, while the tracer reads them).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
)

var keep [][]byte

func churn() {
	// Sizes across every small class and a few large objects.
	for round := 0; round < 400; round++ {
		for size := 1; size <= 40000; size += 1 + size/8 {
			b := make([]byte, size)
			if round%8 == 0 {
				keep = append(keep, b)
			}
		}
	}
	for i := 0; i < 30; i++ {
		keep = append(keep, make([]byte, 100000+i*4096))
	}
}

func bound(b float64) string {
	if math.IsInf(b, 1) {
		return "inf"
	}
	return fmt.Sprintf("%.0f", b)
}

func busy(done chan struct{}) {
	s := []metrics.Sample{{Name: "/gc/heap/allocs-by-size:bytes"}}
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		default:
		}
		metrics.Read(s)
		for size := 1; size <= 40000; size += 1 + size/4 {
			b := make([]byte, size)
			if i%64 == 0 {
				keep = append(keep[len(keep)/2:], b)
			}
		}
	}
}

func main() {
	flag.Parse()
	if flag.Arg(0) == "busy" {
		done := make(chan struct{})
		for i := 0; i < 2; i++ {
			go busy(done)
		}
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		close(done)
		return
	}
	churn()
	runtime.GC()
	names := []string{
		"/gc/heap/allocs-by-size:bytes",
		"/gc/heap/frees-by-size:bytes",
		"/gc/heap/allocs:bytes",
		"/gc/heap/allocs:objects",
		"/gc/heap/frees:bytes",
		"/gc/heap/frees:objects",
		"/gc/heap/objects:objects",
		"/gc/heap/tiny/allocs:objects",
		"/memory/classes/heap/objects:bytes",
	}
	s := make([]metrics.Sample, len(names))
	for i := range s {
		s[i].Name = names[i]
	}
	// Every allocation of the printing is made before the read.
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	metrics.Read(s)
	for i := range s {
		switch s[i].Value.Kind() {
		case metrics.KindUint64:
			fmt.Fprintf(w, "metric %s %d\n", s[i].Name, s[i].Value.Uint64())
		case metrics.KindFloat64Histogram:
			h := s[i].Value.Float64Histogram()
			what := "alloc"
			if i == 1 {
				what = "free"
			}
			for j, c := range h.Counts {
				fmt.Fprintf(w, "%s %s %d\n", what, bound(h.Buckets[j+1]), c)
			}
		}
	}
	fmt.Fprintln(w, "ready")
	w.Flush()
	io.Copy(io.Discard, os.Stdin)
	runtime.KeepAlive(keep)
}
