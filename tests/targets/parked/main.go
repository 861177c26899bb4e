// Command parked is the ground-truth target of the wait-reason tests. It
// parks goroutines on each primitive - chan receive, chan send, select,
// sync.Mutex, sleep, a network accept, sync.WaitGroup and sync.Cond - waits
// until the runtime's own goroutine dump shows every one of them parked,
// and writes down the reason the dump gave:
//
//	parked [-truth FILE] [-exit N]
//
// -truth FILE gets one JSON object per line: first {"pid", "goversion"},
// then {"goid", "primitive", "wait"} per parked goroutine. The reason is
// what this release of the runtime says ("semacquire" for sync.Mutex before
// go1.20, "sync.WaitGroup.Wait" from go1.24, ...): the checker also holds it
// against its own table of releases.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type truth struct {
	Goid      int64  `json:"goid"`
	Primitive string `json:"primitive"`
	Wait      string `json:"wait"`
}

type meta struct {
	Pid       int    `json:"pid"`
	GoVersion string `json:"goversion"`
}

const perPrimitive = 3

var (
	mu     sync.Mutex
	truths []truth
	gids   = map[int64]string{} // goid -> primitive, of goroutines that reached their wait
)

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "parked: "+format+"\n", args...)
	os.Exit(3)
}

func curGoid() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	f := strings.Fields(string(buf[:n]))
	if len(f) < 2 || f[0] != "goroutine" {
		fatalf("cannot parse own stack header %q", buf[:n])
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		fatalf("cannot parse own goid in %q", buf[:n])
	}
	return id
}

func arrive(primitive string) {
	id := curGoid()
	mu.Lock()
	gids[id] = primitive
	mu.Unlock()
}

// waitParked waits until the runtime's goroutine dump shows every goroutine
// of gids in a wait, and records the reason it showed.
func waitParked(n int) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		k := len(gids)
		mu.Unlock()
		if k == n {
			break
		}
		if time.Now().After(deadline) {
			fatalf("only %d of %d goroutines reached their wait", k, n)
		}
		time.Sleep(time.Millisecond)
	}
	seen := map[int64]string{}
	buf := make([]byte, 1<<20)
	for len(seen) < n {
		if time.Now().After(deadline) {
			fatalf("%d of %d goroutines never seen parked", n-len(seen), n)
		}
		m := runtime.Stack(buf, true)
		for _, l := range strings.Split(string(buf[:m]), "\n") {
			// goroutine 42 [chan receive]:   or   [sleep, 2 minutes]:
			if !strings.HasPrefix(l, "goroutine ") || !strings.HasSuffix(l, "]:") {
				continue
			}
			f := strings.SplitN(l[len("goroutine "):len(l)-2], " [", 2)
			id, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil || len(f) != 2 {
				continue
			}
			if _, ok := gids[id]; !ok {
				continue
			}
			reason := strings.SplitN(f[1], ",", 2)[0]
			// Running or runnable in the dump: not parked yet.
			if reason != "running" && reason != "runnable" && reason != "syscall" {
				seen[id] = reason
			}
		}
		time.Sleep(time.Millisecond)
	}
	for id, r := range seen {
		truths = append(truths, truth{Goid: id, Primitive: gids[id], Wait: r})
	}
}

func main() {
	truthPath := flag.String("truth", "", "write the ground truth to `FILE` (JSON lines)")
	code := flag.Int("exit", 0, "exit with `status` when done")
	flag.Parse()

	var wg sync.WaitGroup // the goroutines of the test
	spawn := func(primitive string, f func()) {
		for i := 0; i < perPrimitive; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				arrive(primitive)
				f()
			}()
		}
	}

	recv := make(chan int)
	spawn("chan receive", func() { <-recv })
	send := make(chan int)
	spawn("chan send", func() { send <- 1 })
	a, b := make(chan int), make(chan int)
	spawn("select", func() {
		select {
		case <-a:
		case <-b:
		}
	})
	var lock sync.Mutex
	lock.Lock()
	spawn("sync.Mutex", func() { lock.Lock(); lock.Unlock() })
	var stop int32
	spawn("sleep", func() {
		for atomic.LoadInt32(&stop) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	})
	// One listener each: a second Accept on a listener waits for its fd lock.
	var lns []net.Listener
	var nextLn int32 = -1
	for i := 0; i < perPrimitive; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fatalf("listen: %v", err)
		}
		lns = append(lns, ln)
	}
	spawn("accept", func() {
		c, err := lns[atomic.AddInt32(&nextLn, 1)].Accept()
		if err == nil {
			c.Close()
		}
	})
	var gate sync.WaitGroup
	gate.Add(1)
	spawn("sync.WaitGroup", func() { gate.Wait() })
	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	var ready bool
	spawn("sync.Cond", func() {
		cmu.Lock()
		for !ready {
			cond.Wait()
		}
		cmu.Unlock()
	})

	waitParked(8 * perPrimitive)

	// Release everyone, and let them all end.
	close(recv)
	for i := 0; i < perPrimitive; i++ {
		<-send
	}
	close(a)
	lock.Unlock()
	atomic.StoreInt32(&stop, 1)
	for _, ln := range lns {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			fatalf("dial: %v", err)
		}
		c.Close()
	}
	gate.Done()
	cmu.Lock()
	ready = true
	cond.Broadcast()
	cmu.Unlock()
	wg.Wait()
	for _, ln := range lns {
		ln.Close()
	}
	// Let the last events reach the tracer before the process goes away.
	time.Sleep(100 * time.Millisecond)

	if *truthPath != "" {
		f, err := os.Create(*truthPath)
		if err != nil {
			fatalf("%v", err)
		}
		enc := json.NewEncoder(f)
		sort.Slice(truths, func(i, j int) bool { return truths[i].Goid < truths[j].Goid })
		if err := enc.Encode(meta{Pid: os.Getpid(), GoVersion: runtime.Version()}); err != nil {
			fatalf("%v", err)
		}
		for _, t := range truths {
			if err := enc.Encode(t); err != nil {
				fatalf("%v", err)
			}
		}
		if err := f.Close(); err != nil {
			fatalf("%v", err)
		}
	}
	fmt.Printf("parked: done, %d goroutines\n", len(truths))
	os.Exit(*code)
}
