package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// runMode checks the events against the truth of a target other than
// lifecycle. Same output and exit codes as the lifecycle mode.
func runMode(mode, eventsPath, truthPath string, stdin io.Reader, stdout, stderr io.Writer) int {
	check := map[string]func(evs []*event, truthPath string, rep *report) (string, error){
		"allocs":      checkAllocs,
		"allocs-hist": checkAllocsHist,
		"parked":      checkParked,
		"gc":          checkGC,
		"spin":        checkSpin,
		"sample":      checkSample,
		"resync":      checkResync,
		"syscall":     checkSyscall,
	}[mode]
	if check == nil {
		fmt.Fprintf(stderr, "checker: unknown -mode %s (lifecycle, allocs, allocs-hist, parked, gc, spin, sample, resync, syscall)\n", mode)
		return 2
	}
	if truthPath == "" {
		fmt.Fprintf(stderr, "checker: -mode %s needs -truth\n", mode)
		return 2
	}
	in := stdin
	if eventsPath != "-" {
		f, err := os.Open(eventsPath)
		if err != nil {
			fmt.Fprintf(stderr, "checker: %v\n", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	rep := &report{}
	evs, err := readEvents(in, rep)
	if err != nil {
		fmt.Fprintf(stderr, "checker: %s: %v\n", eventsPath, err)
		return 2
	}
	summary, err := check(evs, truthPath, rep)
	if err != nil {
		fmt.Fprintf(stderr, "checker: %v\n", err)
		return 2
	}
	for i, m := range rep.mismatches {
		if i == 20 {
			fmt.Fprintf(stdout, "... and %d more\n", len(rep.mismatches)-20)
			break
		}
		fmt.Fprintf(stdout, "MISMATCH %s\n", m)
	}
	summary = fmt.Sprintf("checker -mode %s: %d events; %s; %d mismatches", mode, len(evs), summary, len(rep.mismatches))
	if len(rep.mismatches) > 0 {
		summary += " (" + rep.kindSummary() + ")"
	}
	fmt.Fprintln(stdout, summary)
	if len(rep.mismatches) > 0 {
		return 1
	}
	return 0
}

// readLines decodes a truth file: the first line into first, each other
// line through next.
func readLines(path string, first interface{}, next func(dec *json.Decoder) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if err := dec.Decode(first); err != nil {
		return fmt.Errorf("%s: first line: %v", path, err)
	}
	for dec.More() {
		if err := next(dec); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
	}
	return nil
}

// ofPid keeps the events of PID, checking the fields each kind must carry.
func ofPid(evs []*event, pid int64, rep *report) []*event {
	var out []*event
	for _, ev := range evs {
		// A capture line is about the session: with -b, of no one process (pid 0).
		if *ev.Event == "capture" && *ev.Pid == 0 {
			continue
		}
		if *ev.Pid != pid {
			rep.addf("wrong pid", "line %d: pid %d, want %d", ev.lineno, *ev.Pid, pid)
			continue
		}
		checkEvent(ev, pid, rep)
		out = append(out, ev)
	}
	return out
}

// targetMeta is what every truth file starts with.
type targetMeta struct {
	Pid       *int64 `json:"pid"`
	GoVersion string `json:"goversion"`
}

// goMinor is 22 for "go1.22.12".
func goMinor(v string) int {
	var minor int
	if _, err := fmt.Sscanf(v, "go1.%d", &minor); err != nil {
		return -1
	}
	return minor
}
