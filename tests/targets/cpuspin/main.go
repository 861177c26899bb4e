// Command cpuspin is the ground-truth target of the on-CPU tests: its main
// goroutine, locked to its thread, waits for a file to exist, then spins
// for a known time and reports what the kernel says that thread did:
//
//	cpuspin -go FILE -spin DURATION -truth FILE
//
// -truth FILE gets one JSON object: the thread id, and from
// /proc/self/task/TID/schedstat (on-CPU ns, ns waiting on a run queue)
// read just before and just after the spin, with the monotonic times of
// the two reads (CLOCK_MONOTONIC, the tracer's clock).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

type sample struct {
	MonoNs int64 `json:"mono_ns"`
	OnNs   int64 `json:"on_ns"`
	WaitNs int64 `json:"wait_ns"`
}

type truth struct {
	Pid    int    `json:"pid"`
	Tid    int    `json:"tid"`
	Before sample `json:"before"`
	After  sample `json:"after"`
}

func mono() int64 {
	var ts syscall.Timespec
	// clock_gettime(CLOCK_MONOTONIC): the clock of bpf_ktime_get_ns.
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

func schedstat(tid int) sample {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/schedstat", tid))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpuspin:", err)
		os.Exit(1)
	}
	var s sample
	if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &s.OnNs, &s.WaitNs); err != nil {
		fmt.Fprintln(os.Stderr, "cpuspin: schedstat:", err)
		os.Exit(1)
	}
	s.MonoNs = mono()
	return s
}

var sink uint64

func main() {
	goFile := flag.String("go", "", "spin once this file exists")
	spin := flag.Duration("spin", 3*time.Second, "how long to spin")
	out := flag.String("truth", "", "where to write the truth")
	flag.Parse()
	runtime.LockOSThread()
	tid := syscall.Gettid()
	fmt.Printf("tid %d\n", tid)
	for {
		if _, err := os.Stat(*goFile); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	t := truth{Pid: os.Getpid(), Tid: tid}
	t.Before = schedstat(tid)
	end := time.Now().Add(*spin)
	for x := uint64(1); ; x++ {
		sink += x * x
		if x%4096 == 0 && time.Now().After(end) {
			break
		}
	}
	t.After = schedstat(tid)
	b, _ := json.Marshal(t)
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "cpuspin:", err)
		os.Exit(1)
	}
}
