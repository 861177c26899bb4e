package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// resyncTruth is the second line of tests/targets/resync's truth: every
// goroutine of the runtime's dump at ts, and those parked on purpose.
type resyncTruth struct {
	Ts     *uint64 `json:"ts"`
	Goids  []int64 `json:"goids"`
	Parked []int64 `json:"parked"`
}

// systemGoroutines: the goroutines runtime.Stack leaves out of its dump
// (whatever GOTRACEBACK says: it dumps at level 1), as runtime's
// isSystemGoroutine tells them: a start function in package runtime other
// than runtime.main (goroutine 1's, named main.main by the tracer; runtime.main
// in recordings from before), as the tracer named it. Not a goroutine whose start the
// tracer does not know: a phantom stays a phantom.
func systemGoroutines(evs []*event) map[int64]bool {
	sys := map[int64]bool{}
	for _, ev := range evs {
		if *ev.Event == "create" && ev.Func != nil && strings.HasPrefix(*ev.Func, "runtime.") &&
			*ev.Func != "runtime.main" {
			sys[*ev.Goid] = true
		}
	}
	return sys
}

// liveAt is the state table's view after the events up to until (file
// order): goid -> state, for the goroutines not exited, but for the
// runtime's own.
func liveAt(evs []*event, until uint64, sys map[int64]bool) map[int64]string {
	live := map[int64]string{}
	for _, ev := range evs {
		if *ev.Ts > until || sys[*ev.Goid] {
			continue
		}
		switch *ev.Event {
		case "create":
			st := "runnable"
			if ev.State != nil {
				st = *ev.State
			}
			live[*ev.Goid] = st
		case "state":
			if ev.To != nil {
				live[*ev.Goid] = *ev.To
			}
		case "exit":
			delete(live, *ev.Goid)
		}
	}
	return live
}

// compareLive holds LIVE to the truth's goroutines, exactly, and the parked
// ones to waiting. Returns the phantoms and the missing.
func compareLive(live map[int64]string, tr *resyncTruth, when string, rep *report) (phantoms, missing int) {
	want := map[int64]bool{}
	for _, g := range tr.Goids {
		want[g] = true
	}
	var ids []int64
	for g := range live {
		ids = append(ids, g)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, g := range ids {
		if !want[g] {
			phantoms++
			rep.addf("phantom "+when, "%s: goroutine %d listed live (%s), the runtime has no such goroutine", when, g, live[g])
		}
	}
	for _, g := range tr.Goids {
		if _, ok := live[g]; !ok {
			missing++
			rep.addf("missing "+when, "%s: goroutine %d of the runtime is not listed live", when, g)
		}
	}
	for _, g := range tr.Parked {
		if st, ok := live[g]; ok && st != "waiting" {
			rep.addf("wrong state "+when, "%s: parked goroutine %d listed %s, want waiting", when, g, st)
		}
	}
	return phantoms, missing
}

// checkResync: records were lost (a gap line with resync true and records
// lost, before the truth was taken), every goroutine's lines chain (but
// inside a gap, where the tracer says records were lost), and the
// goroutines listed live - when the truth was taken, and at the end - are
// exactly those of the runtime's dump, the parked ones waiting.
func checkResync(evs []*event, truthPath string, rep *report) (string, error) {
	m := &targetMeta{}
	var tr *resyncTruth
	err := readLines(truthPath, m, func(dec *json.Decoder) error {
		if tr != nil {
			return fmt.Errorf("two truth lines")
		}
		tr = &resyncTruth{}
		return dec.Decode(tr)
	})
	if err != nil {
		return "", err
	}
	if m.Pid == nil || tr == nil || tr.Ts == nil || len(tr.Goids) == 0 || len(tr.Parked) == 0 {
		return "", fmt.Errorf("%s: no pid, ts, goids or parked goroutines", truthPath)
	}
	evs = ofPid(evs, *m.Pid, rep)
	var (
		gaps, resynced, before int
		lost                   uint64
		gapSpans               [][2]uint64
		byGoid                 = map[int64]*goroutine{}
		order                  []int64
	)
	for _, ev := range evs {
		if *ev.Event == "gap" {
			gaps++
			if ev.Drops == nil || ev.Since == nil || ev.Resync == nil || *ev.Since > *ev.Ts {
				rep.addf("bad gap", "line %d: a gap without drops, since or resync, or since after ts", ev.lineno)
				continue
			}
			lost += *ev.Drops
			gapSpans = append(gapSpans, [2]uint64{*ev.Since, *ev.Ts})
			if *ev.Resync {
				resynced++
				if *ev.Drops > 0 && *ev.Ts < *tr.Ts {
					before++
				}
			}
			continue
		}
		if *ev.Event != "create" && *ev.Event != "state" && *ev.Event != "exit" {
			continue
		}
		g := byGoid[*ev.Goid]
		if g == nil {
			g = &goroutine{goid: *ev.Goid}
			byGoid[*ev.Goid] = g
			order = append(order, *ev.Goid)
		}
		g.events = append(g.events, ev)
	}
	if before == 0 {
		rep.addf("no gap", "no gap line with resync true and records lost before the truth was taken (%d gaps)", gaps)
	}
	// A chain broken inside a gap (between its since and ts) is what the gap
	// line says: records were lost there. Counted, not a mismatch.
	tsOf := map[int]uint64{}
	for _, ev := range evs {
		tsOf[ev.lineno] = *ev.Ts
	}
	inGap := func(ts uint64) bool {
		for _, g := range gapSpans {
			if ts >= g[0] && ts <= g[1] {
				return true
			}
		}
		return false
	}
	excused := 0
	for _, id := range order {
		chain := &report{}
		checkChain(byGoid[id], false, chain)
		for _, m := range chain.mismatches {
			var line int
			if i := strings.Index(m, "line "); i >= 0 {
				fmt.Sscanf(m[i:], "line %d", &line)
			}
			if ts, ok := tsOf[line]; ok && inGap(ts) {
				excused++
				continue
			}
			rep.addf("broken chain", "%s", m)
		}
	}
	sys := systemGoroutines(evs)
	p1, m1 := compareLive(liveAt(evs, *tr.Ts, sys), tr, "at the truth's time", rep)
	p2, m2 := compareLive(liveAt(evs, ^uint64(0), sys), tr, "at the end", rep)
	return fmt.Sprintf("%d gaps (%d re-read, %d before the truth), %d records lost, %d chains broken inside them; "+
		"%d goroutines in the runtime's dump (%d of its own left out); phantoms %d and missing %d at the truth's time, "+
		"%d and %d at the end", gaps, resynced, before, lost, excused, len(tr.Goids), len(sys), p1, m1, p2, m2), nil
}
