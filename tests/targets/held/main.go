// Command held is the ground-truth target of the metrics test: it parks a
// different number of goroutines on each primitive, each group started by
// a function of its own, and holds them there until SIGUSR1:
//
//	held -truth FILE -release FILE
//
// Once the runtime's own goroutine dump (system goroutines included) shows
// every one parked, FILE gets one JSON object: the pid, the count of
// goroutines per wait reason as the dump spells it (every goroutine of
// the process with that reason, not only ours) and per start function.
// Once the -release file exists they are all released (they exit); the
// process then stays until killed, so that the exits can be scraped.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

type truth struct {
	Pid        int            `json:"pid"`
	GoVersion  string         `json:"goversion"`
	ByReason   map[string]int `json:"by_reason"`   // every goroutine, our reasons only
	ByFunction map[string]int `json:"by_function"` // our start functions
	Total      int            `json:"total"`       // our goroutines
}

var (
	release  = make(chan struct{})
	recvCh   = make(chan int)
	sendCh   = make(chan int)
	selA     = make(chan int)
	selB     = make(chan int)
	lock     sync.Mutex
	gate     sync.WaitGroup
	cmu      sync.Mutex
	cond     = sync.NewCond(&cmu)
	released bool
	done     sync.WaitGroup
)

func recvWorker() { defer done.Done(); <-recvCh }
func sendWorker() { defer done.Done(); sendCh <- 1 }
func selectWorker() {
	defer done.Done()
	select {
	case <-selA:
	case <-selB:
	}
}
func mutexWorker() { defer done.Done(); lock.Lock(); lock.Unlock() }
func groupWorker() { defer done.Done(); gate.Wait() }
func condWorker() {
	defer done.Done()
	cmu.Lock()
	for !released {
		cond.Wait()
	}
	cmu.Unlock()
}

// Counts differ per primitive, so that a series swapped for another shows.
var groups = []struct {
	fn    func()
	name  string
	count int
}{
	{recvWorker, "main.recvWorker", 5},
	{sendWorker, "main.sendWorker", 3},
	{selectWorker, "main.selectWorker", 4},
	{mutexWorker, "main.mutexWorker", 2},
	{groupWorker, "main.groupWorker", 6},
	{condWorker, "main.condWorker", 7},
}

// dump: wait reason per goroutine of the runtime's dump, system goroutines included.
func dump() map[string]int {
	buf := make([]byte, 1<<22)
	n := runtime.Stack(buf, true)
	out := map[string]int{}
	for _, l := range strings.Split(string(buf[:n]), "\n") {
		// goroutine 42 [chan receive]:   or   [sleep, 2 minutes]:
		if !strings.HasPrefix(l, "goroutine ") || !strings.HasSuffix(l, "]:") {
			continue
		}
		f := strings.SplitN(l[:len(l)-2], " [", 2)
		if len(f) != 2 {
			continue
		}
		out[strings.SplitN(f[1], ",", 2)[0]]++
	}
	return out
}

// ourReasons: the reasons our goroutines wait with, as this release names them.
var ourReasons = []string{"chan receive", "chan send", "select", "sync.Mutex.Lock",
	"semacquire", "sync.WaitGroup.Wait", "sync.Cond.Wait"}

// report writes the truth once every goroutine of ours is parked.
func report(t truth, path string) {
	// Parked when the dump shows as many goroutines in our reasons as we started, twice running.
	deadline := time.Now().Add(30 * time.Second)
	for stable := 0; stable < 2; {
		d, n := dump(), 0
		t.ByReason = map[string]int{}
		for _, r := range ourReasons {
			if d[r] > 0 {
				t.ByReason[r] = d[r]
				n += d[r]
			}
		}
		if n >= t.Total {
			stable++
		} else {
			stable = 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "held: only %d of %d goroutines parked\n", n, t.Total)
			os.Exit(3)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if path == "" {
		return
	}
	b, _ := json.Marshal(t)
	if err := os.WriteFile(path+".tmp", append(b, '\n'), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "held: %v\n", err)
		os.Exit(3)
	}
	os.Rename(path+".tmp", path)
}

func main() {
	truthPath := flag.String("truth", "", "write the ground truth to `FILE` (JSON)")
	releasePath := flag.String("release", "", "release the goroutines once `FILE` exists")
	flag.Parse()
	debug.SetTraceback("system")

	lock.Lock()
	gate.Add(1)
	t := truth{Pid: os.Getpid(), GoVersion: runtime.Version(), ByFunction: map[string]int{}}
	for _, g := range groups {
		for i := 0; i < g.count; i++ {
			done.Add(1)
			go g.fn()
		}
		t.ByFunction[g.name] = g.count
		t.Total += g.count
	}
	go report(t, *truthPath)
	// Polled, not a signal: os/signal would add goroutines of its own in select and chan receive.
	for {
		if _, err := os.Stat(*releasePath); *releasePath != "" && err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(recvCh)
	for i := 0; i < 3; i++ {
		<-sendCh
	}
	close(selA)
	lock.Unlock()
	gate.Done()
	cmu.Lock()
	released = true
	cond.Broadcast()
	cmu.Unlock()
	done.Wait()
	fmt.Println("held: released")
	for {
		time.Sleep(time.Hour)
	}
}
