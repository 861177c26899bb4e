// Command sampled is the ground-truth target of the sampling tests
// (tests/e2e/sample.sh). It runs N goroutines (default 20000) in waves; each
// one reads its goid from its own stack, sleeps a millisecond (a sleep always
// parks: every goroutine makes the same state changes, runnable, running,
// waiting, runnable, running, dead, whatever the timing), makes three heap
// allocations it knows of, and exits:
//
//	sampled [-n N] [-truth FILE] [-exit N]
//
// The allocations: new(T24) (kind object, 24 bytes of main.T24), make([]Elem,
// 3) (kind slice of main.Elem) and make(map[int]int, 100) (kind map). With
// many goroutines and allocations of each kind, a sampled trace can be held
// to its rates: the fraction kept of each is known to within a fraction of a
// percent.
//
// -truth FILE gets one JSON object per line: first {"pid", "goversion",
// "goroutines", "objects", "slices", "maps"} (allocations made of each kind,
// one per goroutine), then {"goid", "parent"} per goroutine.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// T24 has no pointers: new(T24) asks for 24 bytes of noscan memory.
type T24 struct{ a, b, c int64 }

// Elem is a 16-byte slice element with a pointer.
type Elem struct {
	p *int
	x int64
}

type meta struct {
	Pid        int    `json:"pid"`
	GoVersion  string `json:"goversion"`
	Goroutines int    `json:"goroutines"`
	Objects    int    `json:"objects"`
	Slices     int    `json:"slices"`
	Maps       int    `json:"maps"`
}

type truth struct {
	Goid   int64 `json:"goid"`
	Parent int64 `json:"parent"`
}

// Where the allocations go, so that they escape to the heap.
var (
	objs   []*T24
	slices [][]Elem
	maps   []map[int]int
)

func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, err := strconv.ParseInt(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	if err != nil {
		panic("cannot read my goid: " + err.Error())
	}
	return id
}

func main() {
	n := flag.Int("n", 20000, "goroutines to run")
	truthPath := flag.String("truth", "", "write the truth to `FILE`")
	exit := flag.Int("exit", 0, "exit with status `N` when done")
	flag.Parse()
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "sampled: -n must be at least 1")
		os.Exit(2)
	}

	const wave = 500
	ids := make([]int64, *n)
	objs = make([]*T24, *n)
	slices = make([][]Elem, *n)
	maps = make([]map[int]int, *n)
	me := goid()
	for first := 0; first < *n; first += wave {
		var wg sync.WaitGroup
		for i := first; i < first+wave && i < *n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ids[i] = goid()
				time.Sleep(time.Millisecond)
				objs[i] = new(T24)
				slices[i] = make([]Elem, 3)
				maps[i] = make(map[int]int, 100)
			}(i)
		}
		wg.Wait()
	}

	if *truthPath != "" {
		f, err := os.Create(*truthPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sampled:", err)
			os.Exit(1)
		}
		enc := json.NewEncoder(f)
		enc.Encode(meta{Pid: os.Getpid(), GoVersion: runtime.Version(), Goroutines: *n,
			Objects: *n, Slices: *n, Maps: *n})
		for _, id := range ids {
			enc.Encode(truth{Goid: id, Parent: me})
		}
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "sampled:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("sampled: done, %d goroutines\n", *n)
	os.Exit(*exit)
}
