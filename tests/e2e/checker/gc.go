package main

import (
	"encoding/json"
	"fmt"
)

type gcMeta struct {
	targetMeta
	K     int `json:"k"`
	NumGC int `json:"numgc"`
}

type gcCycle struct {
	start, markTerm, sweep, end *event
	stwEnds                     []*event
}

// checkGC: at least K cycles triggered by runtime.GC, each seen from its
// start to its end in order, each with its stop-the-world pauses (the END
// summary agreeing with them); pause reasons from go1.21.
func checkGC(evs []*event, truthPath string, rep *report) (string, error) {
	m := &gcMeta{}
	if err := readLines(truthPath, m, func(dec *json.Decoder) error { return fmt.Errorf("one line only") }); err != nil {
		return "", err
	}
	if m.Pid == nil || m.K <= 0 {
		return "", fmt.Errorf("%s: no pid or k", truthPath)
	}
	minor := goMinor(m.GoVersion)
	evs = ofPid(evs, *m.Pid, rep)
	cycles := map[int64]*gcCycle{}
	var order []int64
	var lastTs uint64
	stwOpen, stws, readMemStats := false, 0, 0
	stwWaits := 0
	for _, ev := range evs {
		if isStwWait(ev) {
			stwWaits++
		}
		if *ev.Event != "gc" {
			continue
		}
		if ev.Phase == nil {
			rep.addf("gc lacks fields", "line %d: gc event without phase", ev.lineno)
			continue
		}
		if *ev.Ts < lastTs {
			rep.addf("gc ts goes back", "line %d: ts %d before %d", ev.lineno, *ev.Ts, lastTs)
		}
		lastTs = *ev.Ts
		var c *gcCycle
		if ev.Cycle != nil {
			if c = cycles[*ev.Cycle]; c == nil {
				c = &gcCycle{}
				cycles[*ev.Cycle] = c
				order = append(order, *ev.Cycle)
			}
		}
		switch *ev.Phase {
		case "stw_start":
			if stwOpen {
				rep.addf("stw nesting", "line %d: the world stops twice", ev.lineno)
			}
			stwOpen = true
		case "stw_end":
			if !stwOpen {
				rep.addf("stw nesting", "line %d: the world starts without having stopped", ev.lineno)
			}
			stwOpen = false
			stws++
			if ev.StwNs == nil || *ev.StwNs == 0 {
				rep.addf("stw duration", "line %d: a pause without a duration", ev.lineno)
			}
			if minor >= 21 && (ev.Reason == nil || (*ev.Reason)[0] == '#') {
				rep.addf("stw reason", "line %d: %s: a pause without a known reason", ev.lineno, m.GoVersion)
			}
			if minor < 21 && ev.Reason != nil {
				rep.addf("stw reason", "line %d: %s has no pause reasons, got %q", ev.lineno, m.GoVersion, *ev.Reason)
			}
			if ev.Reason != nil && *ev.Reason == "read mem stats" && ev.Cycle == nil {
				readMemStats++
			}
			if c != nil {
				c.stwEnds = append(c.stwEnds, ev)
			}
		case "start":
			if c != nil {
				c.start = ev
			}
		case "mark_termination":
			if c != nil {
				c.markTerm = ev
			}
		case "sweep":
			if c != nil {
				c.sweep = ev
			}
		case "end":
			if c != nil {
				c.end = ev
			}
		default:
			rep.addf("gc phase", "line %d: unknown phase %q", ev.lineno, *ev.Phase)
		}
	}
	complete, byRuntimeGC := 0, 0
	for _, n := range order {
		c := cycles[n]
		if c.start == nil || c.end == nil {
			continue // begun before tracing, or still running at the end
		}
		complete++
		if c.start.Trigger != nil && *c.start.Trigger == "cycle" {
			byRuntimeGC++
		}
		if c.markTerm == nil || c.sweep == nil ||
			!(*c.start.Ts <= *c.markTerm.Ts && *c.markTerm.Ts <= *c.sweep.Ts && *c.sweep.Ts <= *c.end.Ts) {
			rep.addf("gc order", "cycle %d: start, mark_termination, sweep, end missing or out of order", n)
		}
		if len(c.stwEnds) < 2 {
			rep.addf("gc pauses", "cycle %d: %d stop-the-world pauses, want 2 at least", n, len(c.stwEnds))
		}
		var sum, max uint64
		for _, s := range c.stwEnds {
			if s.StwNs != nil {
				sum += *s.StwNs
				if *s.StwNs > max {
					max = *s.StwNs
				}
			}
		}
		e := c.end
		if e.Stw == nil || int(*e.Stw) != len(c.stwEnds) || e.StwNs == nil || *e.StwNs != sum ||
			e.StwMaxNs == nil || *e.StwMaxNs != max || e.DurNs == nil || *e.DurNs < sum ||
			e.MarkNs == nil || *e.MarkNs == 0 {
			rep.addf("gc summary", "cycle %d: end says %s pauses, %s ns, max %s, dur %s; its pauses: %d, %d ns, max %d",
				n, num(e.Stw), unum(e.StwNs), unum(e.StwMaxNs), unum(e.DurNs), len(c.stwEnds), sum, max)
		}
		if minor >= 21 {
			seen := map[string]bool{}
			for _, s := range c.stwEnds {
				if s.Reason != nil {
					seen[*s.Reason] = true
				}
			}
			if !seen["GC sweep termination"] || !seen["GC mark termination"] {
				rep.addf("gc pause reasons", "cycle %d: pause reasons %v, want GC sweep termination and GC mark termination", n, seen)
			}
		}
	}
	if byRuntimeGC < m.K {
		rep.addf("gc cycles", "%d complete cycles triggered by runtime.GC, want %d at least (%d complete in all)", byRuntimeGC, m.K, complete)
	}
	if minor >= 21 && readMemStats < 2 {
		rep.addf("read mem stats", "%d pauses for runtime.ReadMemStats outside a cycle, want 2", readMemStats)
	}
	// runtime.ReadMemStats stops the world twice from the main goroutine,
	// which waits meanwhile: go1.20+ name that wait first (casGToWaiting,
	// proc.go), go1.19 never does (proc.go:1102), so the reason read there
	// is the goroutine's previous one, or none.
	if stwWaits < 2 {
		rep.addf("stw wait reason", "goroutine 1 entered %d waits named \"stopping the world\", want 2 (runtime.ReadMemStats)", stwWaits)
	}
	return fmt.Sprintf("%s pid %d: %d complete cycles (%d by runtime.GC, K %d, the runtime counted %d), %d pauses, %d stopping-the-world waits of goroutine 1",
		m.GoVersion, *m.Pid, complete, byRuntimeGC, m.K, m.NumGC, stws, stwWaits), nil
}

// isStwWait: goroutine 1 enters a wait named for stopping the world.
func isStwWait(ev *event) bool {
	return *ev.Event == "state" && ev.Goid != nil && *ev.Goid == 1 && ev.To != nil && *ev.To == "waiting" &&
		ev.Reason != nil && *ev.Reason == "stopping the world"
}

func unum(p *uint64) string {
	if p == nil {
		return "<none>"
	}
	return fmt.Sprint(*p)
}
