// Command stacks parks goroutines at known sites and dumps its own stacks
// (runtime.Stack(buf, true), what /debug/pprof/goroutine?debug=2 prints)
// before and after xgotop-tui reads them: tests/e2e/stacks.sh compares.
//
//	stacks -before FILE -after FILE [-n N]
//
// FILE.1 next to each dump is the grouped form (debug=1). -churn N starts N
// goroutines that park and wake without end, fed by N others (the lines
// marked "churn": tests/e2e/stacks_churn.sh reads them while they move).
//
// It prints "ready PID" once every goroutine is parked and the first dump
// is written, then waits for a line on stdin, writes the second dump and
// exits. -n N adds N goroutines parked on one channel (bench/stacks.sh).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

var block = make(chan int)

type server struct {
	mu sync.Mutex
}

// serve blocks in sync.Mutex.Lock: a method, inlined runtime helpers.
func (s *server) serve(wg *sync.WaitGroup) {
	wg.Done()
	s.mu.Lock()
}

// waitInline is inlined into its caller.
func waitInline(ch chan int) int {
	return <-ch
}

func viaInline(wg *sync.WaitGroup) {
	wg.Done()
	waitInline(block)
}

//go:noinline
func parkGeneric[T any](wg *sync.WaitGroup, ch chan T) T {
	wg.Done()
	return <-ch
}

//go:noinline
func recurse(wg *sync.WaitGroup, n int) int {
	if n == 0 {
		wg.Done()
		return <-block
	}
	return recurse(wg, n-1) + 1
}

func inSyscall(wg *sync.WaitGroup, fd int) {
	var b [1]byte
	wg.Done()
	syscall.Read(fd, b[:]) // a blocking pipe: the goroutine stays in the syscall
}

func locked(wg *sync.WaitGroup) {
	runtime.LockOSThread()
	wg.Done()
	<-block
}

func selecting(wg *sync.WaitGroup) {
	t := time.NewTicker(time.Hour)
	wg.Done()
	select {
	case <-block:
	case <-t.C:
	}
}

// dump1 writes the goroutine profile as /debug/pprof/goroutine?debug=1 does.
//go:noinline
func churner(a, b chan int) {
	for { // churn
		<-a // churn site A
		<-b // churn site B
	}
}

func startChurn(n int) {
	for i := 0; i < n; i++ {
		a, b := make(chan int), make(chan int)
		go churner(a, b)
		go func() {
			for { // churn
				a <- 1 // churn
				b <- 1 // churn
			}
		}()
	}
}

func dump1(path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("goroutine").WriteTo(f, 1)
		f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func dump(path string) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	before := flag.String("before", "", "first dump")
	after := flag.String("after", "", "second dump")
	many := flag.Int("n", 0, "extra goroutines parked on one channel")
	churn := flag.Int("churn", 0, "goroutines that park and wake without end")
	flag.Parse()

	var wg sync.WaitGroup
	s := &server{}
	s.mu.Lock()
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	start := func(n int, f func()) {
		wg.Add(n)
		for i := 0; i < n; i++ {
			go f()
		}
	}
	start(3, func() { s.serve(&wg) })
	start(2, func() { viaInline(&wg) })
	start(1, func() { parkGeneric(&wg, make(chan string)) })
	start(1, func() { parkGeneric(&wg, make(chan float64)) })
	start(1, func() { recurse(&wg, 10) })
	start(1, func() { recurse(&wg, 130) })
	start(1, func() { recurse(&wg, 3000) }) // a stack deeper than --stacks' first read
	start(1, func() { inSyscall(&wg, p[0]) })
	start(1, func() { locked(&wg) })
	start(1, func() { selecting(&wg) })
	start(1, func() { wg.Done(); time.Sleep(time.Hour) })
	wg.Add(1)
	go func() {
		var inner sync.WaitGroup
		inner.Add(1)
		go func() { inner.Done(); <-block }() // created by a closure, in a goroutine not main
		inner.Wait()
		wg.Done()
		<-block
	}()
	start(*many, func() { wg.Done(); <-block })
	wg.Wait()
	startChurn(*churn)
	// Let each goroutine reach its parking point (Done comes just before it).
	for i := 0; i < 100; i++ {
		runtime.Gosched()
		time.Sleep(2 * time.Millisecond)
	}
	dump(*before)
	dump1(*before + ".1")
	fmt.Printf("ready %d\n", os.Getpid())
	var line string
	fmt.Scanln(&line)
	dump(*after)
	dump1(*after + ".1")
}
