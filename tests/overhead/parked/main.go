// Command parked is the ground truth of the --poll test: it parks goroutines
// on the common primitives, waits until the runtime itself shows each of them
// waiting (in its goroutine dump), keeps them parked for -hold so a poller at
// 20 Hz reads them several times, then releases them, waits for them to end
// and writes, for every one of them, the wait reason the runtime showed:
//
//	parked [-per 5] [-hold 600ms] [-truth FILE]
//	{"pid":123,"goversion":"go1.22.12","goroutines":35}
//	{"goid":18,"wait":"chan receive"}
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type truth struct {
	Goid int64  `json:"goid"`
	Wait string `json:"wait"`
}

type meta struct {
	Pid        int    `json:"pid"`
	GoVersion  string `json:"goversion"`
	Goroutines int    `json:"goroutines"`
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "parked: "+format+"\n", args...)
	os.Exit(3)
}

func curGoid() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	f := strings.Fields(string(buf[:n]))
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		fatalf("cannot parse %q", buf[:n])
	}
	return id
}

// A kind of wait: how to park there and release, and the reasons the runtime
// may show for it (they changed between releases).
type kind struct {
	allowed []string
	park    func()
	release func()
}

func kinds() []kind {
	recv := make(chan int)
	send := make(chan int)
	a, b := make(chan int), make(chan int)
	var mu sync.Mutex
	var rw sync.RWMutex
	var wg sync.WaitGroup
	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	condDone := false
	var sleepDone int32
	mu.Lock()
	rw.Lock()
	wg.Add(1)
	return []kind{
		{[]string{"chan receive"}, func() { <-recv }, func() { close(recv) }},
		{[]string{"chan send"}, func() { send <- 1 }, func() {
			go func() {
				for {
					select {
					case <-send:
					case <-time.After(time.Second):
						return
					}
				}
			}()
		}},
		{[]string{"select"}, func() {
			select {
			case <-a:
			case <-b:
			}
		}, func() { close(a) }},
		{[]string{"sync.Mutex.Lock", "semacquire"}, func() { mu.Lock(); mu.Unlock() }, func() { mu.Unlock() }},
		{[]string{"sync.RWMutex.RLock", "semacquire"}, func() { rw.RLock(); rw.RUnlock() }, func() { rw.Unlock() }},
		{[]string{"sync.WaitGroup.Wait", "semacquire"}, func() { wg.Wait() }, func() { wg.Done() }},
		{[]string{"sync.Cond.Wait", "semacquire"}, func() {
			cmu.Lock()
			for !condDone {
				cond.Wait()
			}
			cmu.Unlock()
		}, func() { cmu.Lock(); condDone = true; cmu.Unlock(); cond.Broadcast() }},
		{[]string{"sleep"}, func() {
			for atomic.LoadInt32(&sleepDone) == 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}, func() { atomic.StoreInt32(&sleepDone, 1) }},
	}
}

func main() {
	per := flag.Int("per", 5, "goroutines per kind of wait")
	hold := flag.Duration("hold", 600*time.Millisecond, "how long they stay parked once seen")
	truthPath := flag.String("truth", "", "write the truth to `FILE`")
	flag.Parse()

	ks := kinds()
	want := map[int64]int{} // goid -> kind
	var mu sync.Mutex
	var done sync.WaitGroup
	for k := range ks {
		for i := 0; i < *per; i++ {
			done.Add(1)
			k := k
			ready := make(chan struct{})
			go func() {
				defer done.Done()
				mu.Lock()
				want[curGoid()] = k
				mu.Unlock()
				close(ready)
				ks[k].park()
			}()
			<-ready
		}
	}
	// The runtime's own view: every one of them waiting with an allowed reason.
	seen := map[int64]string{}
	deadline := time.Now().Add(30 * time.Second)
	buf := make([]byte, 1<<20)
	for len(seen) < len(want) {
		if time.Now().After(deadline) {
			fatalf("%d of %d goroutines never seen parked", len(want)-len(seen), len(want))
		}
		n := runtime.Stack(buf, true)
		for _, l := range strings.Split(string(buf[:n]), "\n") {
			if !strings.HasPrefix(l, "goroutine ") || !strings.HasSuffix(l, "]:") {
				continue
			}
			f := strings.SplitN(l[len("goroutine "):len(l)-2], " [", 2)
			id, err := strconv.ParseInt(f[0], 10, 64)
			k, ok := want[id]
			if err != nil || !ok || len(f) != 2 {
				continue
			}
			reason := strings.SplitN(f[1], ",", 2)[0]
			for _, a := range ks[k].allowed {
				if reason == a {
					seen[id] = reason
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
	fmt.Println("parked")
	time.Sleep(*hold)
	for _, k := range ks {
		if k.release != nil {
			k.release()
		}
	}
	done.Wait()
	// Let a poller see them gone.
	time.Sleep(*hold / 2)
	if *truthPath != "" {
		f, err := os.Create(*truthPath)
		if err != nil {
			fatalf("%v", err)
		}
		enc := json.NewEncoder(f)
		enc.Encode(meta{Pid: os.Getpid(), GoVersion: runtime.Version(), Goroutines: len(seen)})
		for id, r := range seen {
			enc.Encode(truth{Goid: id, Wait: r})
		}
		if err := f.Close(); err != nil {
			fatalf("%v", err)
		}
	}
	fmt.Printf("parked: done, %d goroutines\n", len(seen))
}
