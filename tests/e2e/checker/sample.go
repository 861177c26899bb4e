package main

// -mode sample: a run of tests/targets/sampled under -sample SPEC (given
// with -rates), against the target's truth and a baseline run of the same
// target without sampling (-baseline). Every rate is held to its definition:
//
//   - goroutine:R keeps exactly the goroutines whose goidHash(pid, goid) is
//     below R's threshold, the same function as bpf/xgotop_event.h's
//     xg_goid_hash: a kept goroutine has its create, an unbroken chain of
//     states and its exit; any other has no create, state or exit at all.
//     The fraction kept is within 0.05 of R. Allocations are not governed by
//     it: the run has every allocation of the target's goroutines.
//   - casgstatus, newgoroutine, goexit (the sleep each goroutine of the
//     target parks in, its creates, its exits) and makeslice, makemap,
//     newobject (its slices of main.Elem, its maps, its main.T24 objects):
//     the count kept over the baseline's is within 0.05 of the rate.
//
// With -rates all, the run is a baseline: every goroutine of the truth
// complete, one object and one slice allocation each.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Set by run() from -baseline and -rates.
var (
	sampleBaseline string
	sampleRates    string
)

var sampleNames = []string{"casgstatus", "newgoroutine", "goexit", "makeslice", "makemap", "newobject", "goroutine"}

// goidHash is xg_goid_hash of bpf/xgotop_event.h: keep them in sync.
func goidHash(pid uint32, goid uint64) uint64 {
	x := goid ^ (uint64(pid) << 40) ^ 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	x ^= x >> 31
	return x >> 32
}

// rateThresh is sample__thresh of src/core/sample.c.
func rateThresh(r float64) uint64 {
	if !(r > 0) {
		return 0
	}
	if r >= 1 {
		return 1 << 32
	}
	return uint64(r*float64(uint64(1)<<32) + 0.5)
}

func parseRates(spec string) (map[string]float64, error) {
	rates := map[string]float64{}
	for _, n := range sampleNames {
		rates[n] = 1
	}
	if spec == "all" {
		return rates, nil
	}
	for _, item := range strings.Split(spec, ",") {
		kv := strings.SplitN(item, ":", 2)
		if len(kv) != 2 {
			return nil, fmt.Errorf("-rates: %q is not event:rate", item)
		}
		if _, ok := rates[kv[0]]; !ok {
			return nil, fmt.Errorf("-rates: unknown event %q", kv[0])
		}
		r, err := strconv.ParseFloat(kv[1], 64)
		if err != nil || r < 0 || r > 1 {
			return nil, fmt.Errorf("-rates: bad rate %q", kv[1])
		}
		rates[kv[0]] = r
	}
	return rates, nil
}

type sampledMeta struct {
	Pid        *int64 `json:"pid"`
	GoVersion  string `json:"goversion"`
	Goroutines int    `json:"goroutines"`
	Objects    int    `json:"objects"`
	Slices     int    `json:"slices"`
	Maps       int    `json:"maps"`
}

// sampleCounts: what a run holds of the target's goroutines, per rate name.
type sampleCounts map[string]int

func countSampled(evs []*event, truthGoids map[int64]bool) sampleCounts {
	c := sampleCounts{}
	// Exits at the process's end were not goexit's: not counted.
	end := &report{}
	for _, ev := range evs {
		if lifecycleEvent(ev) && !concluded(ev) && *ev.Ts > end.end {
			end.end = *ev.Ts
		}
	}
	for _, ev := range evs {
		if !truthGoids[*ev.Goid] || atProcessEnd(ev, end) {
			continue
		}
		switch *ev.Event {
		case "create":
			c["newgoroutine"]++
		case "exit":
			c["goexit"]++
		case "state":
			// One per goroutine whatever the timing (GC assists and
			// preemptions add others, more or fewer from run to run).
			if ev.To != nil && *ev.To == "waiting" && ev.Reason != nil && *ev.Reason == "sleep" &&
				(ev.Inferred == nil || !*ev.Inferred) {
				c["casgstatus"]++
			}
		case "alloc":
			switch {
			case ev.Kind == nil:
			case *ev.Kind == "slice" && ev.Type != nil && *ev.Type == "main.Elem":
				c["makeslice"]++
			case *ev.Kind == "map":
				c["makemap"]++
			case *ev.Kind == "object" && ev.Type != nil && *ev.Type == "main.T24":
				c["newobject"]++
			}
		}
	}
	return c
}

func readEventsFile(path string, rep *report) ([]*event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readEvents(f, rep)
}

func checkSample(evs []*event, truthPath string, rep *report) (string, error) {
	rates, err := parseRates(sampleRates)
	if err != nil {
		return "", err
	}
	var m sampledMeta
	var goids []int64
	err = readLines(truthPath, &m, func(dec *json.Decoder) error {
		var t struct{ Goid *int64 }
		if err := dec.Decode(&t); err != nil {
			return err
		}
		if t.Goid == nil {
			return fmt.Errorf("a goroutine without goid")
		}
		goids = append(goids, *t.Goid)
		return nil
	})
	if err != nil {
		return "", err
	}
	if m.Pid == nil || len(goids) != m.Goroutines || m.Goroutines == 0 {
		return "", fmt.Errorf("%s: want a pid and %d goroutines, have %d", truthPath, m.Goroutines, len(goids))
	}
	pid := *m.Pid
	evs = ofPid(evs, pid, rep)
	inTruth := map[int64]bool{}
	for _, id := range goids {
		inTruth[id] = true
	}
	got := countSampled(evs, inTruth)

	// Goroutines whole, or not at all.
	byGoid := map[int64]*goroutine{}
	for _, ev := range evs {
		if !inTruth[*ev.Goid] || !lifecycleEvent(ev) {
			continue
		}
		g := byGoid[*ev.Goid]
		if g == nil {
			g = &goroutine{goid: *ev.Goid}
			byGoid[g.goid] = g
		}
		g.events = append(g.events, ev)
	}
	gr := rates["goroutine"]
	thresh := rateThresh(gr)
	perEvent := false
	for _, n := range sampleNames[:3] {
		perEvent = perEvent || rates[n] < 1
	}
	kept := 0
	for _, id := range goids {
		g := byGoid[id]
		want := goidHash(uint32(pid), uint64(id)) < thresh
		if g != nil {
			kept++
		}
		switch {
		case perEvent:
			// Coins per record: a goroutine may keep nothing, or anything.
		case want && g == nil:
			rep.addf("sampled goroutine missing", "goroutine %d: kept by goroutine:%g, but not traced", id, gr)
		case !want && g != nil:
			rep.addf("unsampled goroutine traced", "goroutine %d: left out by goroutine:%g, but has %d events (line %d)", id, gr, len(g.events), g.events[0].lineno)
		case want:
			checkChain(g, true, rep)
		}
	}
	summary := fmt.Sprintf("%d of %d goroutines traced", kept, len(goids))
	if gr < 1 {
		frac := float64(kept) / float64(len(goids))
		if math.Abs(frac-gr) > 0.05 {
			rep.addf("rate off", "goroutine: kept %.4f of the goroutines, want %g +- 0.05", frac, gr)
		}
		summary += fmt.Sprintf(" (%.4f, rate %g)", frac, gr)
	}

	// Allocations the truth counts exactly, when nothing samples them.
	exact := map[string]int{"newobject": m.Objects, "makeslice": m.Slices}
	for n, want := range exact {
		if rates[n] == 1 && got[n] != want {
			rep.addf("allocations lost", "%s: %d allocations of the target's goroutines, want %d", n, got[n], want)
		}
	}
	if sampleBaseline == "" {
		if sampleRates != "all" {
			return "", fmt.Errorf("-mode sample with -rates %s needs -baseline", sampleRates)
		}
		return summary + "; baseline", nil
	}

	base, err := readEventsFile(sampleBaseline, rep)
	if err != nil {
		return "", err
	}
	// The baseline is another run, another process: its own truth goroutines.
	baseGoids := map[int64]bool{}
	var bpid int64 = -1
	for _, ev := range base {
		if *ev.Event == "create" && ev.Func != nil && strings.HasPrefix(*ev.Func, "main.main.func") {
			baseGoids[*ev.Goid] = true
			bpid = *ev.Pid
		}
	}
	if len(baseGoids) != m.Goroutines {
		return "", fmt.Errorf("%s: %d creates of main.main.func*, want %d", sampleBaseline, len(baseGoids), m.Goroutines)
	}
	var bevs []*event
	for _, ev := range base {
		if *ev.Pid == bpid {
			bevs = append(bevs, ev)
		}
	}
	want := countSampled(bevs, baseGoids)
	var parts []string
	for _, n := range sampleNames[:6] {
		r := rates[n]
		if want[n] == 0 {
			return "", fmt.Errorf("%s: no %s events of the target's goroutines", sampleBaseline, n)
		}
		// Under goroutine:R, only kept goroutines have state events.
		expect := float64(want[n])
		if n == "casgstatus" || n == "newgoroutine" || n == "goexit" {
			expect *= float64(kept) / float64(len(goids))
		}
		obs := float64(got[n]) / expect
		if math.Abs(obs-r) > 0.05 {
			rep.addf("rate off", "%s: kept %.4f (%d of %.0f), want %g +- 0.05", n, obs, got[n], expect, r)
		}
		parts = append(parts, fmt.Sprintf("%s %.3f/%g", n, obs, r))
	}
	return summary + "; kept/rate: " + strings.Join(parts, ", "), nil
}
