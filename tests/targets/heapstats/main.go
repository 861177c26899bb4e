// heapstats: ground truth for the heap statistics xgotop-tui reads from a
// target's memory (tests/e2e/heapstats.sh). It allocates objects of many
// sizes (some kept, most garbage), runs a GC, then reports what its own
// runtime/metrics say, one line each:
//
//	metric NAME VALUE
//	alloc UPPER COUNT   (/gc/heap/allocs-by-size:bytes, UPPER: exclusive bound, "inf")
//	free UPPER COUNT    (/gc/heap/frees-by-size:bytes)
//	ready N             (the end of report N, from 1)
//
// and then waits on stdin; every line read makes another report, until
// stdin is closed. From the first report's metrics.Read on, the program
// allocates nothing: the reads reuse their samples, the reports are
// formatted with strconv into a buffer made before, written with one
// write(2) to stdout and stdin is read into a buffer made before.
//
// The runtime counts an allocation into runtime.memstats.heapStats (what
// runtime/metrics and the tracer read) only when the span it came from
// leaves the P's mcache (mcache.refill, releaseAll): an allocation made
// after a read, fmt's boxing of the values it prints or io.Copy's buffer,
// can make a later refill count the objects allocated since the GC, after
// the report was made and before the tracer reads. With nothing allocated,
// nothing is counted, and two equal reports made before and after the
// tracer ran bracket its reads: heapStats' counts never go down, so every
// read in between saw exactly the same counts.
//
// An idle Go program still makes OS threads: when a goroutine, timer or
// the P handed off by a blocking read(2) needs an M and none is idle
// (one can be between releasing its P and parking), startm makes one, and
// allocm's allocations (go1.24: the m, 1832 bytes, and since go1.23 two
// 1080-byte profiling stacks, size class 1152) land in a cached span and are
// counted whenever that span is refilled: between two reports, once, in CI.
// spareMs leaves idle Ms in the runtime's pool before anything is measured,
// so that no M is made afterwards (heapstats.sh also counts the target's
// threads around each round, and repeats a round that was not quiet).
//
// With -busy it does not report but allocates and reads its runtime/metrics
// without pause until stdin is closed (consistentHeapStats.read merging its
// generations all the time, while the tracer reads them).
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
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

// appendBound appends a histogram's bucket bound: "inf" or a whole number
// of bytes (runtime/metrics' size-class bounds are).
func appendBound(b []byte, f float64) []byte {
	if math.IsInf(f, 1) {
		return append(b, "inf"...)
	}
	return strconv.AppendUint(b, uint64(f), 10)
}

// report reads the metrics into s and writes them to stdout as report n,
// allocating nothing once s and out have been used for one report (out's
// capacity holds every line).
func report(s []metrics.Sample, out []byte, n uint64) {
	metrics.Read(s)
	out = out[:0]
	for i := range s {
		switch s[i].Value.Kind() {
		case metrics.KindUint64:
			out = append(out, "metric "...)
			out = append(out, s[i].Name...)
			out = append(out, ' ')
			out = strconv.AppendUint(out, s[i].Value.Uint64(), 10)
			out = append(out, '\n')
		case metrics.KindFloat64Histogram:
			h := s[i].Value.Float64Histogram()
			what := "alloc "
			if i == 1 {
				what = "free "
			}
			for j, c := range h.Counts {
				out = append(out, what...)
				out = appendBound(out, h.Buckets[j+1])
				out = append(out, ' ')
				out = strconv.AppendUint(out, c, 10)
				out = append(out, '\n')
			}
		}
	}
	out = append(out, "ready "...)
	out = strconv.AppendUint(out, n, 10)
	out = append(out, '\n')
	if _, err := os.Stdout.Write(out); err != nil {
		panic(err)
	}
}

// spareMs makes the runtime start n more Ms (OS threads) than it has and
// leaves them idle: n goroutines each locked to its own thread block
// together, then unlock and exit; an M whose goroutine exits unlocked stays
// in the idle pool (sched.midle) for the program's life.
func spareMs(n int) {
	var locked, release, exited sync.WaitGroup
	locked.Add(n)
	release.Add(1)
	exited.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			defer exited.Done()
			runtime.LockOSThread()
			locked.Done()
			release.Wait()
			runtime.UnlockOSThread()
		}()
	}
	locked.Wait()
	release.Done()
	exited.Wait()
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
	// More than can be busy at once in an idle program: the Ps' Ms, the
	// one in read(2) and those parking.
	spareMs(2*runtime.GOMAXPROCS(0) + 8)
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
	// The first read allocates the histograms (and the runtime's table of
	// metrics); the reports reuse them.
	metrics.Read(s)
	out := make([]byte, 0, 1<<16)
	in := make([]byte, 4096)
	for n := uint64(1); ; n++ {
		report(s, out, n)
		if _, err := os.Stdin.Read(in); err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
	}
	runtime.KeepAlive(keep)
}
