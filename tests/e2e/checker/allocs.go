package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The truth of tests/targets/allocs.
type allocsMeta struct {
	targetMeta
	Classes []uint64 `json:"classes"`
	Header  bool     `json:"header"`
	Workers int      `json:"workers"`
}

type allocTruth struct {
	Goid  int64  `json:"goid"`
	Kind  string `json:"kind"`
	Size  uint64 `json:"size"`
	Type  string `json:"type"`
	Ptr   bool   `json:"ptr"`
	Count int    `json:"count"`
	Hint  int64  `json:"hint"`
}

const (
	bucketTiny  = 0
	bucketLarge = 68
)

var allocKinds = map[string]bool{
	"other": true, "object": true, "slice": true, "append": true, "map": true,
	"string": true, "chan": true, "goroutine": true,
}

func readAllocsTruth(path string) (*allocsMeta, []allocTruth, error) {
	m := &allocsMeta{}
	var ts []allocTruth
	err := readLines(path, m, func(dec *json.Decoder) error {
		var t allocTruth
		if err := dec.Decode(&t); err != nil {
			return err
		}
		ts = append(ts, t)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if m.Pid == nil || len(m.Classes) != 67 {
		return nil, nil, fmt.Errorf("%s: first line lacks pid or the 67 size classes", path)
	}
	return m, ts, nil
}

// bucketOf is the histogram bucket the runtime puts SIZE bytes in (malloc.go
// mallocgc): the tiny allocator, a size class, or large.
func bucketOf(size uint64, ptr bool, m *allocsMeta) int64 {
	hdr := uint64(0)
	if m.Header {
		hdr = 8
	}
	if size > 32768-hdr {
		return bucketLarge
	}
	if !ptr && size < 16 {
		return bucketTiny
	}
	if ptr && m.Header && size > 512 {
		size += hdr
	}
	for i, c := range m.Classes {
		if c >= size {
			return int64(i + 1)
		}
	}
	return bucketLarge
}

// bucketSize is what alloc_hist says as class_size.
func bucketSize(b int64, m *allocsMeta) uint64 {
	switch {
	case b == bucketTiny:
		return 16
	case b >= 1 && b <= 67:
		return m.Classes[b-1]
	}
	return 0
}

// lastHist is the final alloc_hist line of each bucket; it checks the lines on the way.
func lastHist(evs []*event, m *allocsMeta, rep *report) map[int64]*event {
	last := map[int64]*event{}
	for _, ev := range evs {
		if *ev.Event != "alloc_hist" {
			continue
		}
		if ev.Class == nil || ev.ClassSize == nil || ev.Count == nil || ev.Bytes == nil {
			rep.addf("alloc_hist lacks fields", "line %d: alloc_hist without class, class_size, count or bytes", ev.lineno)
			continue
		}
		if *ev.Class < 0 || *ev.Class > bucketLarge {
			rep.addf("alloc_hist class", "line %d: class %d out of range", ev.lineno, *ev.Class)
			continue
		}
		if want := bucketSize(*ev.Class, m); *ev.ClassSize != want {
			rep.addf("alloc_hist class_size", "line %d: class %d has class_size %d, the runtime says %d", ev.lineno, *ev.Class, *ev.ClassSize, want)
		}
		if p := last[*ev.Class]; p != nil && (*ev.Count < *p.Count || *ev.Bytes < *p.Bytes) {
			rep.addf("alloc_hist goes back", "line %d: class %d count %d after %d", ev.lineno, *ev.Class, *ev.Count, *p.Count)
		}
		last[*ev.Class] = ev
	}
	return last
}

func str0(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// checkAllocs: every allocation of the truth is there, exactly, with its
// goroutine, kind, size, type and size class; every make(map, hint) shows
// its hint; the size-class histogram counted in BPF agrees with the events.
func checkAllocs(evs []*event, truthPath string, rep *report) (string, error) {
	m, truths, err := readAllocsTruth(truthPath)
	if err != nil {
		return "", err
	}
	evs = ofPid(evs, *m.Pid, rep)

	type key struct {
		goid int64
		kind string
		size uint64
		typ  string
	}
	got := map[key][]*event{}
	hints := map[[2]int64]int{}
	perBucket := map[int64]uint64{}
	nAlloc, kinds := 0, map[string]int{}
	for _, ev := range evs {
		if *ev.Event != "alloc" {
			continue
		}
		nAlloc++
		if ev.Kind == nil || !allocKinds[*ev.Kind] || ev.Size == nil || ev.Class == nil {
			rep.addf("alloc lacks fields", "line %d: alloc without a known kind, size or class", ev.lineno)
			continue
		}
		if *ev.Size == 0 || *ev.Class < 0 || *ev.Class > bucketLarge {
			rep.addf("alloc out of range", "line %d: size %d, class %d", ev.lineno, *ev.Size, *ev.Class)
		}
		kinds[*ev.Kind]++
		perBucket[*ev.Class]++
		k := key{*ev.Goid, *ev.Kind, *ev.Size, str0(ev.Type)}
		got[k] = append(got[k], ev)
		if ev.Hint != nil && *ev.Kind == "map" {
			hints[[2]int64{*ev.Goid, *ev.Hint}]++
		}
	}

	nTruth, nMaps := 0, 0
	for _, t := range truths {
		if t.Kind == "map" {
			nMaps++
			if hints[[2]int64{t.Goid, t.Hint}] == 0 {
				rep.addf("map hint", "goroutine %d: no map allocation with hint %d", t.Goid, t.Hint)
			}
			continue
		}
		nTruth += t.Count
		evs := got[key{t.Goid, t.Kind, t.Size, t.Type}]
		if len(evs) != t.Count {
			var near []string
			for k, v := range got {
				if k.goid == t.Goid && (k.typ == t.Type || k.size == t.Size) {
					near = append(near, fmt.Sprintf("%s %d %q x%d", k.kind, k.size, k.typ, len(v)))
				}
			}
			sort.Strings(near)
			rep.addf("allocation", "goroutine %d: %d %s of %d bytes of %s, want %d (its allocations of that type or size: %s)",
				t.Goid, len(evs), t.Kind, t.Size, t.Type, t.Count, strings.Join(near, ", "))
		}
		want := bucketOf(t.Size, t.Ptr, m)
		for _, ev := range evs {
			if *ev.Class != want {
				rep.addf("size class", "line %d: %s of %d bytes (pointers: %v) in class %d, the runtime's is %d",
					ev.lineno, t.Type, t.Size, t.Ptr, *ev.Class, want)
			}
		}
	}

	// Every allocation the probe saw was counted in the histogram, and written.
	last := lastHist(evs, m, rep)
	if len(last) == 0 {
		rep.addf("no alloc_hist", "no alloc_hist line")
	}
	for b := int64(0); b <= bucketLarge; b++ {
		var h uint64
		if last[b] != nil {
			h = *last[b].Count
		}
		if h != perBucket[b] {
			rep.addf("histogram", "class %d: the histogram counted %d allocations, the events say %d", b, h, perBucket[b])
		}
	}
	var ks []string
	for k, n := range kinds {
		ks = append(ks, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(ks)
	return fmt.Sprintf("%s pid %d: %d allocation events (%s), %d truth allocations and %d maps of %d workers checked",
		m.GoVersion, *m.Pid, nAlloc, strings.Join(ks, ", "), nTruth, nMaps, m.Workers), nil
}

// checkAllocsHist: with --alloc-hist, no allocation event, and a histogram
// holding at least the truth's allocations of each class.
func checkAllocsHist(evs []*event, truthPath string, rep *report) (string, error) {
	m, truths, err := readAllocsTruth(truthPath)
	if err != nil {
		return "", err
	}
	evs = ofPid(evs, *m.Pid, rep)
	for _, ev := range evs {
		if *ev.Event == "alloc" {
			rep.addf("alloc event", "line %d: an alloc event with the histogram only", ev.lineno)
		}
	}
	last := lastHist(evs, m, rep)
	want := map[int64]uint64{}
	for _, t := range truths {
		if t.Kind != "map" {
			want[bucketOf(t.Size, t.Ptr, m)] += uint64(t.Count)
		}
	}
	var total uint64
	for b, n := range want {
		var h uint64
		if last[b] != nil {
			h = *last[b].Count
		}
		if h < n {
			rep.addf("histogram", "class %d: the histogram counted %d allocations, the workers alone made %d", b, h, n)
		}
	}
	for _, ev := range last {
		total += *ev.Count
	}
	return fmt.Sprintf("%s pid %d: %d classes in the histogram, %d allocations", m.GoVersion, *m.Pid, len(last), total), nil
}
