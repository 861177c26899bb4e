package main

import (
	"encoding/json"
	"fmt"
)

type spinMeta struct {
	targetMeta
	GOMAXPROCS int64 `json:"gomaxprocs"`
	Goid       int64 `json:"goid"`
	StartNs    int64 `json:"start_ns"`
	EndNs      int64 `json:"end_ns"`
	CPUNs      int64 `json:"cpu_ns"`
}

// checkSpin: every transition to running names a P below GOMAXPROCS and an
// M (or, from go1.26, p null when it leaves a syscall whose P sysmon took);
// the time the spinning goroutine was running is within 10% of the CPU time
// its thread got, and when the machine gave it the whole second (95% of it
// at least), within 10% of the wall time too. Running time also counts
// the moments the kernel took its thread away, so it may exceed the CPU time,
// never the wall time.
func checkSpin(evs []*event, truthPath string, rep *report) (string, error) {
	m := &spinMeta{}
	if err := readLines(truthPath, m, func(dec *json.Decoder) error { return fmt.Errorf("one line only") }); err != nil {
		return "", err
	}
	if m.Pid == nil || m.GOMAXPROCS <= 0 || m.EndNs <= m.StartNs || m.CPUNs <= 0 {
		return "", fmt.Errorf("%s: no pid, gomaxprocs, spin interval or cpu time", truthPath)
	}
	evs = ofPid(evs, *m.Pid, rep)
	ps := map[int64]int{}
	running := 0
	var run uint64
	var since int64 = -1 // the spinner runs since, -1: not running
	clip := func(a, b int64) {
		if a < m.StartNs {
			a = m.StartNs
		}
		if b > m.EndNs {
			b = m.EndNs
		}
		if b > a {
			run += uint64(b - a)
		}
	}
	minor, lostP := goMinor(m.GoVersion), 0
	for _, ev := range evs {
		if *ev.Event != "state" || ev.To == nil || ev.From == nil {
			continue
		}
		if *ev.To == "running" {
			running++
			// "p": null with an M: the M had no P.
			if noP := ev.P == nil && *ev.From == "syscall" && minor >= 26; noP && ev.M != nil && *ev.M >= 0 {
				// go1.26's exitsyscall runs _Grunning without a P when
				// sysmon took it during the syscall (proc.go:4916).
				lostP++
			} else if ev.P == nil || *ev.P < 0 || *ev.P >= m.GOMAXPROCS || ev.M == nil || *ev.M < 0 {
				rep.addf("p and m", "line %d: goroutine %d to running on p %s, m %s (GOMAXPROCS %d)",
					ev.lineno, *ev.Goid, num(ev.P), num(ev.M), m.GOMAXPROCS)
			} else {
				ps[*ev.P]++
			}
		} else if ev.P != nil || ev.M != nil {
			rep.addf("p and m", "line %d: p or m on a transition to %s", ev.lineno, *ev.To)
		}
		if *ev.Goid != m.Goid {
			continue
		}
		if *ev.From == "running" && since >= 0 {
			clip(since, int64(*ev.Ts))
			since = -1
		}
		if *ev.To == "running" {
			since = int64(*ev.Ts)
		}
	}
	if since >= 0 {
		clip(since, m.EndNs)
	}
	wall := uint64(m.EndNs - m.StartNs)
	pct := float64(run) * 100 / float64(wall)
	cpuPct := float64(run) * 100 / float64(m.CPUNs)
	idle := float64(m.CPUNs) >= 0.95*float64(wall)
	if cpuPct < 90 || run > wall {
		rep.addf("cpu time", "goroutine %d ran %d ns of its %d ns of spinning; its thread had %d ns of CPU (%.1f%%), want 90%% at least",
			m.Goid, run, wall, m.CPUNs, cpuPct)
	}
	if idle && (pct < 90 || pct > 100) {
		rep.addf("cpu time", "goroutine %d ran %d ns of its %d ns of spinning (%.1f%%), want 90%% to 100%%", m.Goid, run, wall, pct)
	}
	busy := ""
	if !idle {
		busy = fmt.Sprintf(" (a busy machine: its thread had %.1f%% of the wall time, compared with that)", float64(m.CPUNs)*100/float64(wall))
	}
	if running == 0 {
		rep.addf("p and m", "no transition to running")
	}
	return fmt.Sprintf("%s pid %d: goroutine %d ran %.1f%% of %d ms, %.1f%% of its CPU time%s; %d transitions to running on Ps %v (GOMAXPROCS %d), %d out of a syscall without a P",
		m.GoVersion, *m.Pid, m.Goid, pct, wall/1000000, cpuPct, busy, running, ps, m.GOMAXPROCS, lostP), nil
}
