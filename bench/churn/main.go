// Command churn is the goroutine-churn workload of the overhead benchmarks:
// goroutines are created, handed one value over a channel and exit, as fast as
// the machine allows, for a fixed time. It prints what it did, so a benchmark
// can compare throughput with and without a tracer attached:
//
//	churn [-d 3s] [-wait] [-grow] [-drain] [-stop FILE]
//	churn: 4810331 goroutines in 3.000 s, 1603443/s
//
// -wait prints "ready" and waits for SIGUSR1 before starting (attach by pid).
// -grow makes every goroutine recurse deeply first, so its stack grows
// (copystack) several times: the deep-recursion variant of the tests.
// -drain waits for every goroutine to end before exiting, so that a test
// can count an exit for each.
// -stop FILE ends the run early once FILE exists (tests that run until
// something has happened, not for a time).
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
	deadline := time.Now().Add(*d)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
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
	wg.Wait()
	atomic.StoreInt32(&stopped, 1)
	el := time.Since(start).Seconds()
	for *drain && atomic.LoadInt64(&ended) < total {
		time.Sleep(time.Millisecond)
	}
	if *drain {
		// The last ones have counted themselves, not yet returned to goexit.
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("churn: %d goroutines in %.3f s, %.0f/s\n", total, el, float64(total)/el)
}
