package main

import (
	"encoding/json"
	"fmt"
)

type syscallTruth struct {
	Goid      int64 `json:"goid"`
	BlockedNs int64 `json:"blocked_ns"`
}

// checkSyscall: every reader of tests/targets/sysblock is seen in a
// syscall span (to syscall, then from syscall) that lasts 90% at least of
// the time it measured around its blocking read(2), on every release
// (go1.26 enters and leaves syscalls without casgstatus); the chain of
// each reader holds (no broken chain, no syscall span left open).
func checkSyscall(evs []*event, truthPath string, rep *report) (string, error) {
	m := &targetMeta{}
	var ts []syscallTruth
	err := readLines(truthPath, m, func(dec *json.Decoder) error {
		var t syscallTruth
		if err := dec.Decode(&t); err != nil {
			return err
		}
		ts = append(ts, t)
		return nil
	})
	if err != nil {
		return "", err
	}
	if m.Pid == nil || len(ts) == 0 {
		return "", fmt.Errorf("%s: no pid or no readers", truthPath)
	}
	evs = ofPid(evs, *m.Pid, rep)
	longest := map[int64]uint64{}
	open := map[int64]uint64{}
	byGoid := map[int64]*goroutine{}
	for _, ev := range evs {
		if ev.Goid == nil {
			continue
		}
		g := byGoid[*ev.Goid]
		if g == nil {
			g = &goroutine{goid: *ev.Goid}
			byGoid[*ev.Goid] = g
		}
		g.events = append(g.events, ev)
		if *ev.Event != "state" || ev.From == nil || ev.To == nil {
			continue
		}
		if *ev.From == "syscall" {
			if start, ok := open[*ev.Goid]; ok && *ev.Ts-start > longest[*ev.Goid] {
				longest[*ev.Goid] = *ev.Ts - start
			}
			delete(open, *ev.Goid)
		}
		if *ev.To == "syscall" {
			open[*ev.Goid] = *ev.Ts
		}
	}
	var minPct float64 = -1
	for _, t := range ts {
		g := byGoid[t.Goid]
		if g == nil {
			rep.addf("reader missing", "goroutine %d: no event", t.Goid)
			continue
		}
		checkChain(g, true, rep)
		l := longest[t.Goid]
		pct := 100 * float64(l) / float64(t.BlockedNs)
		if minPct < 0 || pct < minPct {
			minPct = pct
		}
		if t.BlockedNs <= 0 || 10*l < 9*uint64(t.BlockedNs) {
			rep.addf("syscall span", "goroutine %d: longest syscall span %d ns, want 90%% at least of the %d ns it blocked in read(2)",
				t.Goid, l, t.BlockedNs)
		}
	}
	return fmt.Sprintf("%s pid %d: %d readers, the shortest longest span %.1f%% of its blocked time",
		m.GoVersion, *m.Pid, len(ts), minPct), nil
}
