// Command allocs is the ground-truth target of the allocation tests. Eight
// workers, each a goroutine of its own, make heap allocations whose sizes,
// types and map hints they know, and write them down with their goid:
//
//	allocs [-truth FILE] [-exit N]
//
// -truth FILE gets one JSON object per line: first {"pid", "goversion",
// "classes", "header"}, where classes are the runtime's size-class bounds as
// runtime/metrics reports them (/gc/heap/allocs-by-size:bytes) and header
// whether this release puts an 8-byte malloc header on objects with pointers
// above 512 bytes; then one line per kind of allocation a worker made:
// {"goid", "kind", "size", "type", "ptr", "count"} for objects and slices
// (size: the bytes requested from the allocator; type: the element type of a
// slice), {"goid", "kind":"map", "hint"} for make(map, hint).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// T24 has no pointers: new(T24) asks for 24 bytes of noscan memory.
type T24 struct{ a, b, c int64 }

// P40 has a pointer: 40 bytes of scan memory.
type P40 struct {
	p *int
	a [4]int64
}

// Big is a 20000-byte object: one of size class 20480.
type Big struct{ b [20000]byte }

// Elem is a 16-byte slice element with a pointer.
type Elem struct {
	p *int
	x int64
}

type alloc struct {
	Goid  int64  `json:"goid"`
	Kind  string `json:"kind"`
	Size  uint64 `json:"size,omitempty"`
	Type  string `json:"type,omitempty"`
	Ptr   bool   `json:"ptr,omitempty"`
	Count int    `json:"count,omitempty"`
	Hint  int    `json:"hint,omitempty"`
}

type meta struct {
	Pid       int       `json:"pid"`
	GoVersion string    `json:"goversion"`
	Classes   []uint64 `json:"classes"`
	Header    bool      `json:"header"`
	Workers   int       `json:"workers"`
}

const nWorkers = 8

// Everything allocated is kept here, so that nothing stays on a stack.
var (
	keepMu  sync.Mutex
	keepT   []*T24
	keepP   []*P40
	keepB   []*Big
	keepI   [][]int64
	keepE   [][]Elem
	keepU   [][]byte
	keepM   []map[int64]int64
	keepS   []map[string]*T24
	results [][]alloc
)

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "allocs: "+format+"\n", args...)
	os.Exit(3)
}

// curGoid parses "goroutine N [" from the current goroutine's stack.
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

//go:noinline
func work(i int, start <-chan struct{}) []alloc {
	id := curGoid()
	<-start
	nT, nP := 3+i%2, 2
	// Sizes differ per worker: nothing else asks for exactly these.
	ci, ce, cu := 10+i, 40+i, 3000+i
	hm, hs := 50+i, 3+i

	var t []*T24
	var p []*P40
	for k := 0; k < nT; k++ {
		t = append(t, new(T24))
	}
	for k := 0; k < nP; k++ {
		p = append(p, new(P40))
	}
	b := new(Big)
	si := make([]int64, i, ci)
	se := make([]Elem, 1, ce)
	su := make([]byte, cu)
	m := make(map[int64]int64, hm)
	ms := make(map[string]*T24, hs)

	keepMu.Lock()
	keepT = append(keepT, t...)
	keepP = append(keepP, p...)
	keepB = append(keepB, b)
	keepI = append(keepI, si)
	keepE = append(keepE, se)
	keepU = append(keepU, su)
	keepM = append(keepM, m)
	keepS = append(keepS, ms)
	keepMu.Unlock()

	return []alloc{
		{Goid: id, Kind: "object", Size: uint64(unsafe.Sizeof(T24{})), Type: "main.T24", Count: nT},
		{Goid: id, Kind: "object", Size: uint64(unsafe.Sizeof(P40{})), Type: "main.P40", Ptr: true, Count: nP},
		{Goid: id, Kind: "object", Size: uint64(unsafe.Sizeof(Big{})), Type: "main.Big", Count: 1},
		{Goid: id, Kind: "slice", Size: uint64(ci) * uint64(unsafe.Sizeof(int64(0))), Type: "int64", Count: 1},
		{Goid: id, Kind: "slice", Size: uint64(ce) * uint64(unsafe.Sizeof(Elem{})), Type: "main.Elem", Ptr: true, Count: 1},
		{Goid: id, Kind: "slice", Size: uint64(cu), Type: "uint8", Count: 1},
		{Goid: id, Kind: "map", Hint: hm},
		{Goid: id, Kind: "map", Hint: hs},
	}
}

// sizeClasses are the runtime's own size classes (class_to_size[1:]), from
// the bounds of its allocations-by-size histogram: [1, 9, 17, ..., 32769, +Inf)
// are each class size plus one.
func sizeClasses() []uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs-by-size:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		fatalf("no /gc/heap/allocs-by-size:bytes")
	}
	b := s[0].Value.Float64Histogram().Buckets
	var c []uint64
	for i := 1; i+1 < len(b); i++ {
		c = append(c, uint64(b[i])-1)
	}
	return c
}

// headers: from go1.22 objects with pointers above 512 bytes carry a header.
func headers() bool {
	v := strings.TrimPrefix(runtime.Version(), "go1.")
	minor, err := strconv.Atoi(strings.SplitN(strings.SplitN(v, ".", 2)[0], "rc", 2)[0])
	if err != nil {
		fatalf("cannot parse %s", runtime.Version())
	}
	return minor >= 22
}

func main() {
	truthPath := flag.String("truth", "", "write the ground truth to `FILE` (JSON lines)")
	code := flag.Int("exit", 0, "exit with `status` when done")
	flag.Parse()

	start := make(chan struct{})
	results = make([][]alloc, nWorkers)
	var wg sync.WaitGroup
	for i := 0; i < nWorkers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = work(i, start)
		}(i)
	}
	close(start)
	wg.Wait()

	if *truthPath != "" {
		f, err := os.Create(*truthPath)
		if err != nil {
			fatalf("%v", err)
		}
		enc := json.NewEncoder(f)
		check := func(err error) {
			if err != nil {
				fatalf("%v", err)
			}
		}
		check(enc.Encode(meta{Pid: os.Getpid(), GoVersion: runtime.Version(), Classes: sizeClasses(),
			Header: headers(), Workers: nWorkers}))
		sort.Slice(results, func(a, b int) bool { return results[a][0].Goid < results[b][0].Goid })
		for _, r := range results {
			for _, a := range r {
				check(enc.Encode(a))
			}
		}
		check(f.Close())
	}
	fmt.Printf("allocs: done, %d workers\n", nWorkers)
	os.Exit(*code)
}
