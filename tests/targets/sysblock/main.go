// Command sysblock is the ground-truth target of the syscall tests: N
// goroutines each block in a raw read(2) on a pipe of their own (blocking
// file descriptors, syscall.Read: through entersyscall, not the netpoller)
// until main writes to the pipe after a known time:
//
//	sysblock [-truth FILE] [-exit N] [-n N] [-block DURATION]
//
// -truth FILE gets one JSON object per line: first {"pid", "goversion"},
// then {"goid", "blocked_ns"} per reader, blocked_ns being the time the
// reader measured around its read(2). Main writes only once every reader
// has said it is about to read and a further -block has passed, so each
// read blocks in the kernel for about -block.
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
	"syscall"
	"time"
)

type truth struct {
	Goid      int64 `json:"goid"`
	BlockedNs int64 `json:"blocked_ns"`
}

type meta struct {
	Pid       int    `json:"pid"`
	GoVersion string `json:"goversion"`
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "sysblock: "+format+"\n", args...)
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
		fatalf("goid %q: %v", f[1], err)
	}
	return id
}

func main() {
	truthPath := flag.String("truth", "", "write the ground truth to `FILE` (JSON lines)")
	code := flag.Int("exit", 0, "exit with `status` when done")
	n := flag.Int("n", 4, "`N` readers")
	block := flag.Duration("block", 2*time.Second, "how long each read blocks")
	flag.Parse()

	fds := make([][2]int, *n)
	for i := range fds {
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			fatalf("pipe2: %v", err)
		}
		fds[i] = p
	}
	truths := make([]truth, *n)
	base := runtime.NumGoroutine()
	var ready, done sync.WaitGroup
	ready.Add(*n)
	done.Add(*n)
	for i := 0; i < *n; i++ {
		go func(i int) {
			defer done.Done()
			var b [1]byte
			truths[i].Goid = curGoid()
			ready.Done()
			t0 := time.Now()
			if k, err := syscall.Read(fds[i][0], b[:]); k != 1 || err != nil {
				fatalf("read: %d, %v", k, err)
			}
			truths[i].BlockedNs = int64(time.Since(t0))
		}(i)
	}
	ready.Wait()
	time.Sleep(*block)
	for i := range fds {
		if _, err := syscall.Write(fds[i][1], []byte{1}); err != nil {
			fatalf("write: %v", err)
		}
	}
	done.Wait()
	// Done is deferred: the readers may not have exited yet. Their exit
	// (casgstatus to dead) comes before they leave the count, so once it
	// is back to what it was every reader's whole life has been traced.
	for waited := 0; runtime.NumGoroutine() > base; waited++ {
		if waited == 10000 {
			fatalf("%d goroutines 10 s after the readers were done, want %d", runtime.NumGoroutine(), base)
		}
		time.Sleep(time.Millisecond)
	}

	if *truthPath != "" {
		f, err := os.Create(*truthPath)
		if err != nil {
			fatalf("%v", err)
		}
		enc := json.NewEncoder(f)
		err = enc.Encode(meta{Pid: os.Getpid(), GoVersion: runtime.Version()})
		for _, t := range truths {
			if err == nil {
				err = enc.Encode(t)
			}
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			fatalf("%v", err)
		}
	}
	fmt.Printf("sysblock: done, %d readers\n", *n)
	os.Exit(*code)
}
