// Command syscalls is the syscall-heavy workload of bench/syscalls.sh: G
// goroutines each write one byte to /dev/null with syscall.Write (through
// entersyscall/exitsyscall) in a loop for D, then it prints the number of
// syscalls per second and the mean nanoseconds per syscall and goroutine.
//
//	syscalls [-g G] [-d D]
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	g := flag.Int("g", 1, "`G` goroutines")
	d := flag.Duration("d", 3*time.Second, "run for `D`")
	flag.Parse()
	fd, err := syscall.Open("/dev/null", syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "syscalls: /dev/null: %v\n", err)
		os.Exit(1)
	}
	var n atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	b := []byte{0}
	start := time.Now()
	for i := 0; i < *g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := int64(0)
			for !stop.Load() {
				if _, err := syscall.Write(fd, b); err != nil {
					fmt.Fprintf(os.Stderr, "syscalls: write: %v\n", err)
					os.Exit(1)
				}
				k++
			}
			n.Add(k)
		}()
	}
	time.Sleep(*d)
	stop.Store(true)
	wg.Wait()
	el := time.Since(start)
	ops := float64(n.Load()) / el.Seconds()
	fmt.Printf("syscalls/s %.0f ns/syscall %.0f\n", ops, float64(*g)*1e9/ops)
}
