package main

import (
	"encoding/json"
	"fmt"
	"sort"
)

// The truth of tests/targets/parked.
type parkedTruth struct {
	Goid      int64  `json:"goid"`
	Primitive string `json:"primitive"`
	Wait      string `json:"wait"`
}

// waitReasonOf is the reason each release shows for a goroutine parked on a
// primitive (runtime2.go waitReasonStrings, and the sync package's calls into
// the runtime): sync.Mutex names itself from go1.20, sync.WaitGroup from go1.24.
func waitReasonOf(primitive string, minor int) string {
	switch primitive {
	case "sync.Mutex":
		if minor >= 20 {
			return "sync.Mutex.Lock"
		}
		return "semacquire"
	case "sync.WaitGroup":
		if minor >= 24 {
			return "sync.WaitGroup.Wait"
		}
		return "semacquire"
	case "sync.Cond":
		return "sync.Cond.Wait"
	case "accept":
		return "IO wait"
	case "chan receive", "chan send", "select", "sleep":
		return primitive
	}
	return ""
}

// checkParked: each parked goroutine goes to waiting with the reason its
// release's runtime showed, which is also the one of the table above; no
// wait of the whole trace lacks a reason or has an unknown one.
func checkParked(evs []*event, truthPath string, rep *report) (string, error) {
	m := &targetMeta{}
	var ts []parkedTruth
	err := readLines(truthPath, m, func(dec *json.Decoder) error {
		var t parkedTruth
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
		return "", fmt.Errorf("%s: no pid or no goroutines", truthPath)
	}
	minor := goMinor(m.GoVersion)
	evs = ofPid(evs, *m.Pid, rep)
	reasons := map[int64]map[string]bool{}
	waits, unknown := 0, 0
	for _, ev := range evs {
		if *ev.Event != "state" || ev.To == nil || *ev.To != "waiting" || ev.Reason == nil {
			continue
		}
		waits++
		if len(*ev.Reason) > 0 && (*ev.Reason)[0] == '#' {
			unknown++
			rep.addf("unknown reason", "line %d: goroutine %d waits with unknown reason %s", ev.lineno, *ev.Goid, *ev.Reason)
		}
		if reasons[*ev.Goid] == nil {
			reasons[*ev.Goid] = map[string]bool{}
		}
		reasons[*ev.Goid][*ev.Reason] = true
	}
	byPrim := map[string]int{}
	for _, t := range ts {
		byPrim[t.Primitive]++
		if want := waitReasonOf(t.Primitive, minor); t.Wait != want {
			rep.addf("release table", "goroutine %d parked on %s: %s shows %q, the table says %q",
				t.Goid, t.Primitive, m.GoVersion, t.Wait, want)
		}
		if !reasons[t.Goid][t.Wait] {
			var seen []string
			for r := range reasons[t.Goid] {
				seen = append(seen, r)
			}
			sort.Strings(seen)
			rep.addf("wait reason", "goroutine %d parked on %s: never -> waiting with %q (seen: %q)",
				t.Goid, t.Primitive, t.Wait, seen)
		}
	}
	if len(byPrim) != 8 {
		rep.addf("primitives", "the truth covers %d primitives, want 8", len(byPrim))
	}
	return fmt.Sprintf("%s pid %d: %d parked goroutines on %d primitives checked, %d waits in the trace (%d unknown reasons)",
		m.GoVersion, *m.Pid, len(ts), len(byPrim), waits, unknown), nil
}
