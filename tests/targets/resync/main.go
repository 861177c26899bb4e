// Command resync is the ground-truth target of the re-sync test
// (tests/e2e/resync.sh): it creates goroutines as fast as it can, so that
// a tracer with a small ring buffer loses records, then settles to a known
// set of goroutines and writes down every goroutine the runtime has.
//
//	resync -dir DIR
//
// The test drives it through files in DIR: it writes DIR/ready once
// running, churns from DIR/start to DIR/stop, then parks -parked
// goroutines on a channel, runs a GC (its workers are goroutines too) and
// writes DIR/settled. On DIR/dump it writes DIR/truth: {"pid",
// "goversion"}, then {"ts", "goids", "parked"}: ts is CLOCK_MONOTONIC (the
// events' clock) after the runtime's goroutine dump, goids every goroutine
// in it, the runtime's own included, parked the goids of the parked ones.
// On DIR/exit it exits 0.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

var dir string

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "resync: "+format+"\n", args...)
	os.Exit(3)
}

func exists(name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

func waitFile(name string) {
	for !exists(name) {
		time.Sleep(10 * time.Millisecond)
	}
}

func writeFile(name string, data []byte) {
	tmp := filepath.Join(dir, name+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		fatalf("%v", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		fatalf("%v", err)
	}
}

// monotonic: CLOCK_MONOTONIC in ns, the clock of the tracer's events.
func monotonic() uint64 {
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		fatalf("clock_gettime: %v", e)
	}
	return uint64(ts.Sec)*1e9 + uint64(ts.Nsec)
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

// allGoids: every goroutine of the runtime's dump (the world stopped), the
// runtime's own included (GOTRACEBACK=system).
func allGoids() []int64 {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var ids []int64
	for _, line := range strings.Split(string(buf), "\n") {
		if !strings.HasPrefix(line, "goroutine ") {
			continue
		}
		f := strings.Fields(line)
		id, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			fatalf("cannot parse %q", line)
		}
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// churn: goroutines created and ended as fast as the Ps allow, some of
// them parked a while first, until stop is set.
func churn(stop *int32) {
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gate := make(chan struct{})
			for atomic.LoadInt32(stop) == 0 {
				var inner sync.WaitGroup
				for i := 0; i < 256; i++ {
					inner.Add(1)
					if i%16 == 0 {
						go func(g chan struct{}) { <-g; inner.Done() }(gate)
						continue
					}
					go func() { runtime.Gosched(); inner.Done() }()
				}
				close(gate)
				gate = make(chan struct{})
				inner.Wait()
			}
		}()
	}
	wg.Wait()
}

func main() {
	flag.StringVar(&dir, "dir", "", "the `DIR` the test drives it through")
	nParked := flag.Int("parked", 20, "goroutines parked once settled")
	flag.Parse()
	if dir == "" {
		fatalf("usage: resync -dir DIR [-parked N]")
	}
	debug.SetTraceback("system")
	writeFile("ready", []byte(strconv.Itoa(os.Getpid())+"\n"))

	waitFile("start")
	var stop int32
	done := make(chan struct{})
	go func() { churn(&stop); close(done) }()
	waitFile("stop")
	atomic.StoreInt32(&stop, 1)
	<-done

	block := make(chan struct{})
	ids := make(chan int64)
	for i := 0; i < *nParked; i++ {
		go func() { ids <- curGoid(); <-block }()
	}
	parked := make([]int64, 0, *nParked)
	for i := 0; i < *nParked; i++ {
		parked = append(parked, <-ids)
	}
	sort.Slice(parked, func(i, j int) bool { return parked[i] < parked[j] })
	runtime.GC()
	writeFile("settled", []byte(strconv.FormatUint(monotonic(), 10)+"\n"))

	waitFile("dump")
	goids := allGoids()
	ts := monotonic()
	meta, _ := json.Marshal(map[string]interface{}{"pid": os.Getpid(), "goversion": runtime.Version()})
	truth, _ := json.Marshal(map[string]interface{}{"ts": ts, "goids": goids, "parked": parked})
	writeFile("truth", []byte(string(meta)+"\n"+string(truth)+"\n"))

	waitFile("exit")
	close(block)
}
