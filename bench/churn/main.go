// Command churn is the goroutine-churn workload of the overhead benchmarks:
// goroutines are created, handed one value over a channel and exit, as fast as
// the machine allows, for a fixed time. It prints what it did, so a benchmark
// can compare throughput with and without a tracer attached:
//
//	churn [-d 3s] [-wait] [-grow] [-drain] [-stop FILE] [-every 100ms]
//	churn: 4810331 goroutines in 3.000 s, 1603443/s
//
// -wait prints "ready" and waits for SIGUSR1 before starting (attach by pid).
// -grow makes every goroutine recurse deeply first, so its stack grows
// (copystack) several times: the deep-recursion variant of the tests.
// -drain waits for every goroutine to end before exiting, so that a test
// can count an exit for each.
// -stop FILE ends the run early once FILE exists (tests that run until
// something has happened, not for a time).
// -every DUR also prints, before that line, when the run started and what
// each interval of about DUR did, so a benchmark can compare the rate over a
// window (after a tracer attached by pid) with an untraced run's same window:
//
//	churn: start 1765123456.123456 (unix s)
//	churn: interval 0.100 0.200 161234 (s since start, s, goroutines)
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var sink, ended int64
var stopped int32

// A worker's count so far, for -every: one cache line each, so that workers
// do not share one (a contended add per batch would slow the run it measures).
type counter struct {
	n atomic.Int64
	_ [56]byte
}

//go:noinline
func recurse(n int) int64 {
	var pad [64]byte
	pad[n%64] = byte(n)
	if n == 0 {
		return int64(pad[0])
	}
	return recurse(n-1) + int64(pad[n%64])
}

func main() {
	d := flag.Duration("d", 3*time.Second, "how long to run")
	wait := flag.Bool("wait", false, "print ready and wait for SIGUSR1 before starting")
	grow := flag.Bool("grow", false, "recurse deeply in every goroutine (stack growth)")
	drain := flag.Bool("drain", false, "wait for every goroutine to end before exiting (tests count exits)")
	stopFile := flag.String("stop", "", "end early once this file exists")
	every := flag.Duration("every", 0, "also print the goroutines of each interval this long")
	flag.Parse()

	if *wait {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGUSR1)
		fmt.Println("ready")
		<-c
		signal.Stop(c)
	}

	workers := runtime.GOMAXPROCS(0)
	var total int64
	var wg sync.WaitGroup
	counts := make([]counter, workers)
	deadline := time.Now().Add(*d)
	start := time.Now()
	if *every > 0 {
		fmt.Printf("churn: start %.6f (unix s)\n", float64(start.UnixNano())/1e9)
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		c := &counts[w]
		go func() {
			defer wg.Done()
			ch := make(chan int)
			n := int64(0)
			for time.Now().Before(deadline) && atomic.LoadInt32(&stopped) == 0 {
				// A batch between clock reads keeps time.Now out of the figures.
				for i := 0; i < 64; i++ {
					go func() {
						v := <-ch
						if *grow {
							v += int(recurse(200))
						}
						atomic.AddInt64(&sink, int64(v))
						if *drain {
							atomic.AddInt64(&ended, 1)
						}
					}()
					ch <- i
					n++
				}
				if *every > 0 {
					c.n.Store(n)
				}
			}
			atomic.AddInt64(&total, n)
		}()
	}
	if *stopFile != "" {
		go func() {
			for atomic.LoadInt32(&stopped) == 0 {
				if _, err := os.Stat(*stopFile); err == nil {
					atomic.StoreInt32(&stopped, 1)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	var lines []string
	done, reported := make(chan struct{}), make(chan struct{})
	if *every > 0 {
		// Printed at the end: writing while the run goes on would be part of it.
		// Started after the workers: their closure stays main.main.func1 (tests
		// pick churn's goroutines by that name).
		go func() {
			defer close(reported)
			t0, n0 := time.Duration(0), int64(0)
			for end := false; !end; {
				select {
				case <-done:
					end = true
				case <-time.After(*every):
				}
				t1, n1 := time.Since(start), int64(0)
				for i := range counts {
					n1 += counts[i].n.Load()
				}
				lines = append(lines, fmt.Sprintf("churn: interval %.3f %.3f %d",
					t0.Seconds(), t1.Seconds(), n1-n0))
				t0, n0 = t1, n1
			}
		}()
	} else {
		close(reported)
	}
	wg.Wait()
	atomic.StoreInt32(&stopped, 1)
	el := time.Since(start).Seconds()
	close(done)
	<-reported
	for _, l := range lines {
		fmt.Println(l)
	}
	for *drain && atomic.LoadInt64(&ended) < total {
		time.Sleep(time.Millisecond)
	}
	if *drain {
		// The last ones have counted themselves, not yet returned to goexit.
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("churn: %d goroutines in %.3f s, %.0f/s\n", total, el, float64(total)/el)
}
