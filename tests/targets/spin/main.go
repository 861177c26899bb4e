// Command spin is the ground-truth target of the CPU-time and placement
// tests: with GOMAXPROCS=2 (from the environment), one goroutine spins
// alone for a second while main waits on a channel.
//
//	spin [-truth FILE] [-exit N] [-ms N]
//
// -truth FILE gets one JSON object: {"pid", "goversion", "gomaxprocs",
// "goid", "start_ns", "end_ns", "cpu_ns"}: the spinning goroutine, when it
// started and stopped spinning on CLOCK_MONOTONIC (the tracer's clock), and
// the CPU time its thread got meanwhile (it is locked to that thread, so
// this is the CPU time the goroutine had: less than the wall time when the
// machine is busy with other work).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

type meta struct {
	Pid        int    `json:"pid"`
	GoVersion  string `json:"goversion"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Goid       int64  `json:"goid"`
	StartNs    int64  `json:"start_ns"`
	EndNs      int64  `json:"end_ns"`
	CPUNs      int64  `json:"cpu_ns"`
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "spin: "+format+"\n", args...)
	os.Exit(3)
}

const (
	clockMonotonic       = 1
	clockThreadCPUTimeID = 3
)

// clock is clock_gettime(ID), in ns.
func clock(id uintptr) int64 {
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, id, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		fatalf("clock_gettime: %v", e)
	}
	return ts.Nano()
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

var sink uint64

func main() {
	truthPath := flag.String("truth", "", "write the ground truth to `FILE` (JSON)")
	code := flag.Int("exit", 0, "exit with `status` when done")
	ms := flag.Int64("ms", 1000, "spin for `N` milliseconds")
	flag.Parse()

	m := meta{Pid: os.Getpid(), GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		m.Goid = curGoid()
		// A system call enters the syscall state: four of them, the clock
		// of the loop is time.Now (the vDSO, no system call).
		cpu0 := clock(clockThreadCPUTimeID)
		m.StartNs = clock(clockMonotonic)
		t0 := time.Now()
		x := uint64(1)
		for time.Since(t0) < time.Duration(*ms)*time.Millisecond {
			for i := 0; i < 1000; i++ {
				x = x*6364136223846793005 + 1442695040888963407
			}
		}
		m.EndNs = clock(clockMonotonic)
		m.CPUNs = clock(clockThreadCPUTimeID) - cpu0
		sink = x
		close(done)
	}()
	<-done

	if *truthPath != "" {
		f, err := os.Create(*truthPath)
		if err == nil {
			err = json.NewEncoder(f).Encode(m)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fatalf("%v", err)
		}
	}
	fmt.Printf("spin: done, goroutine %d spun %d ms\n", m.Goid, (m.EndNs-m.StartNs)/1000000)
	os.Exit(*code)
}
