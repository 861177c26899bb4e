// Command checker compares what xgotop-tui traced (its JSONL output) with what
// a target says it did (the truth file of tests/targets/lifecycle), exactly.
//
//	checker -events FILE [-truth FILE] [-pid N] [-func-prefix P]
//
// Every event must be well formed and belong to the target's pid (-pid, or the
// pid in the truth). Every goroutine in the truth must have exactly one create
// event with its goid, parent, func, created_by, file and line, a state chain
// from runnable to dead (each "from" the previous "to", timestamps never going
// back), exactly one exit after the dead state, and, where the truth names a
// wait reason, a transition to waiting with that reason. No create may name a
// main.* function the truth does not know. The state chain of every other
// goroutine must be continuous too. With -func-prefix, at least one create must
// name a function starting with P.
//
// Prints each mismatch (the first 20), then one summary line; exits 1 on any
// mismatch, 2 on bad usage or unreadable input.
//
// Other targets have modes of their own (-mode), each in a file of its own:
// allocs and allocs-hist (tests/targets/allocs), parked (tests/targets/parked),
// gc (tests/targets/gcloop), spin (tests/targets/spin) and sample
// (tests/targets/sampled, with -baseline and -rates). In the default
// mode, events other than create, state and exit are checked for their common
// fields only.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one JSONL line. Pointers tell a missing field from a zero one.
type event struct {
	Event     *string `json:"event"`
	Ts        *uint64 `json:"ts"`
	Pid       *int64  `json:"pid"`
	Goid      *int64  `json:"goid"`
	Tid       *int64  `json:"tid"`
	Parent    *int64  `json:"parent"`
	Func      *string `json:"func"`
	CreatedBy *string `json:"created_by"`
	File      *string `json:"file"`
	Line      *int64  `json:"line"`
	From      *string `json:"from"`
	To        *string `json:"to"`
	Reason    *string `json:"reason"`
	State     *string `json:"state"`    // create: the state it starts (or was found) in
	Existing  *bool   `json:"existing"` // create: found at attach, not created then
	Inferred  *bool   `json:"inferred"`
	P         *int64  `json:"p"`
	M         *int64  `json:"m"`

	// alloc and alloc_hist
	Kind      *string `json:"kind"`
	Size      *uint64 `json:"size"`
	Class     *int64  `json:"class"`
	Type      *string `json:"type"`
	Hint      *int64  `json:"hint"`
	ClassSize *uint64 `json:"class_size"`
	Count     *uint64 `json:"count"`
	Bytes     *uint64 `json:"bytes"`

	// gc
	Phase    *string `json:"phase"`
	Cycle    *int64  `json:"cycle"`
	Trigger  *string `json:"trigger"`
	Procs    *int64  `json:"procs"`
	StwNs    *uint64 `json:"stw_ns"`
	DurNs    *uint64 `json:"dur_ns"`
	Stw      *int64  `json:"stw"`
	StwMaxNs *uint64 `json:"stw_max_ns"`
	MarkNs   *uint64 `json:"mark_ns"`

	// gap
	Drops  *uint64 `json:"drops"`
	Since  *uint64 `json:"since"`
	Resync *bool   `json:"resync"`

	lineno int
}

type truth struct {
	Goid      *int64 `json:"goid"`
	Parent    int64  `json:"parent"`
	Func      string `json:"func"`
	CreatedBy string `json:"created_by"`
	File      string `json:"file"`
	Line      int64  `json:"line"`
	Wait      string `json:"wait"`

	// The first line of a truth file: the target itself.
	Pid        *int64 `json:"pid"`
	GoVersion  string `json:"goversion"`
	Goroutines int    `json:"goroutines"`
}

var states = map[string]bool{
	"idle": true, "runnable": true, "running": true, "syscall": true, "waiting": true,
	"dead": true, "copystack": true, "preempted": true,
}

type report struct {
	mismatches []string
	kinds      map[string]int // how many mismatches of each kind, for the summary
	// The last ts of the process before the inferred exits of its end
	// (docs/JSONL.md, "exit"): goroutines still alive when it exited end
	// with it, stamped when the tracer saw that, after every other line.
	end uint64
}

// concluded: an inferred exit, or the inferred change to dead before one.
func concluded(ev *event) bool {
	inf := ev.Inferred != nil && *ev.Inferred
	return inf && (*ev.Event == "exit" || (*ev.Event == "state" && ev.To != nil && *ev.To == "dead"))
}

// atProcessEnd: an exit the tracer concluded from the process's end, not saw.
func atProcessEnd(ev *event, rep *report) bool {
	return *ev.Event == "exit" && concluded(ev) && *ev.Ts >= rep.end
}

func (r *report) addf(kind, format string, args ...interface{}) {
	r.mismatches = append(r.mismatches, fmt.Sprintf(format, args...))
	if r.kinds == nil {
		r.kinds = map[string]int{}
	}
	r.kinds[kind]++
}

// kindSummary is "kind N, kind N, ..." with the most frequent first.
func (r *report) kindSummary() string {
	var ks []string
	for k := range r.kinds {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if r.kinds[ks[i]] != r.kinds[ks[j]] {
			return r.kinds[ks[i]] > r.kinds[ks[j]]
		}
		return ks[i] < ks[j]
	})
	for i, k := range ks {
		ks[i] = fmt.Sprintf("%s %d", k, r.kinds[k])
	}
	return strings.Join(ks, ", ")
}

func str(p *string) string {
	if p == nil {
		return "<none>"
	}
	return fmt.Sprintf("%q", *p)
}

func num(p *int64) string {
	if p == nil {
		return "<none>"
	}
	return fmt.Sprint(*p)
}

// readEvents parses the JSONL; malformed lines and missing common fields are
// mismatches, not errors, so that one bad line does not hide the rest.
func readEvents(r io.Reader, rep *report) ([]*event, error) {
	var evs []*event
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			rep.addf("empty line", "line %d: empty line", n)
			continue
		}
		ev := &event{lineno: n}
		if err := json.Unmarshal(b, ev); err != nil {
			rep.addf("not JSON", "line %d: not a JSON event (%v): %.120s", n, err, b)
			continue
		}
		var missing []string
		if ev.Event == nil {
			missing = append(missing, "event")
		}
		if ev.Ts == nil {
			missing = append(missing, "ts")
		}
		if ev.Pid == nil {
			missing = append(missing, "pid")
		}
		if ev.Goid == nil {
			missing = append(missing, "goid")
		}
		if ev.Tid == nil {
			missing = append(missing, "tid")
		}
		if len(missing) > 0 {
			rep.addf("missing field", "line %d: missing %s: %.120s", n, strings.Join(missing, ", "), b)
			continue
		}
		evs = append(evs, ev)
	}
	return evs, sc.Err()
}

func readTruth(path string) (target *truth, gs []*truth, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for {
		t := &truth{}
		if err := dec.Decode(t); err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		switch {
		case t.Goid != nil:
			gs = append(gs, t)
		case t.Pid != nil && target == nil:
			target = t
		default:
			return nil, nil, fmt.Errorf("%s: line neither goroutine nor target", path)
		}
	}
	if target == nil {
		return nil, nil, fmt.Errorf("%s: no target line (pid, goversion)", path)
	}
	if target.Goroutines != len(gs) {
		return nil, nil, fmt.Errorf("%s: says %d goroutines, holds %d", path, target.Goroutines, len(gs))
	}
	return target, gs, nil
}

// goroutine gathers the events of one goid in file order.
type goroutine struct {
	goid   int64
	events []*event
}

// checkEvent checks what a single event must carry, whatever its goroutine.
func checkEvent(ev *event, pid int64, rep *report) {
	// A capture line is about the session: with -b, of no one process (pid 0).
	if pid >= 0 && *ev.Pid != pid && !(*ev.Event == "capture" && *ev.Pid == 0) {
		rep.addf("wrong pid", "line %d: pid %d, want %d (goid %d, %s)", ev.lineno, *ev.Pid, pid, *ev.Goid, *ev.Event)
	}
	switch *ev.Event {
	case "create":
		// Goroutine 1 has no creator: Go prints none (traceback.go printcreatedby).
		site := *ev.Goid == 1 || (ev.CreatedBy != nil && ev.File != nil && ev.Line != nil)
		if ev.Parent == nil || ev.Func == nil || !site {
			rep.addf("create lacks fields", "line %d: create of goid %d lacks parent, func, created_by, file or line", ev.lineno, *ev.Goid)
		}
	case "state":
		if ev.From == nil || ev.To == nil {
			rep.addf("state lacks from/to", "line %d: state of goid %d lacks from or to", ev.lineno, *ev.Goid)
			return
		}
		if !states[*ev.From] || !states[*ev.To] {
			rep.addf("unknown state", "line %d: goid %d: unknown state in %s -> %s", ev.lineno, *ev.Goid, *ev.From, *ev.To)
		}
		if *ev.To == "waiting" && (ev.Reason == nil || *ev.Reason == "") {
			rep.addf("waiting without reason", "line %d: goid %d: -> waiting without a reason", ev.lineno, *ev.Goid)
		}
	}
}

// checkChain checks the order of one goroutine's events. With full set (a
// goroutine of the truth) it must also be complete: create, states from
// runnable to dead, exit.
func checkChain(g *goroutine, full bool, rep *report) {
	var (
		prev    string // the state the goroutine is in, "" while unknown
		create  *event
		dead    *event
		exit    *event
		lastTs  uint64
		creates int
		exits   int
	)
	for i, ev := range g.events {
		if i > 0 && *ev.Ts < lastTs {
			rep.addf("ts goes back", "goroutine %d: line %d: ts %d before the previous event's %d", g.goid, ev.lineno, *ev.Ts, lastTs)
		}
		lastTs = *ev.Ts
		if exit != nil && *ev.Event != "exit" {
			rep.addf("event after exit", "goroutine %d: line %d: %s after exit (line %d)", g.goid, ev.lineno, *ev.Event, exit.lineno)
		}
		switch *ev.Event {
		case "create":
			creates++
			if creates > 1 {
				rep.addf("second create", "goroutine %d: line %d: second create (first line %d)", g.goid, ev.lineno, create.lineno)
				continue
			}
			create = ev
			if i > 0 {
				rep.addf("create not first", "goroutine %d: line %d: create after %d other events (first line %d)", g.goid, ev.lineno, i, g.events[0].lineno)
			}
			prev = "runnable"
			if ev.State != nil {
				prev = *ev.State
			}
		case "state":
			if ev.From == nil || ev.To == nil {
				continue // reported by checkEvent
			}
			if dead != nil {
				rep.addf("state after dead", "goroutine %d: line %d: %s -> %s after -> dead (line %d)", g.goid, ev.lineno, *ev.From, *ev.To, dead.lineno)
			} else if prev != "" && *ev.From != prev {
				rep.addf("broken chain", "goroutine %d: line %d: %s -> %s, but it was %s", g.goid, ev.lineno, *ev.From, *ev.To, prev)
			}
			prev = *ev.To
			if prev == "dead" && dead == nil {
				dead = ev
			}
		case "exit":
			exits++
			if exits > 1 {
				rep.addf("second exit", "goroutine %d: line %d: second exit", g.goid, ev.lineno)
				continue
			}
			exit = ev
			if dead == nil {
				rep.addf("exit before dead", "goroutine %d: line %d: exit before any -> dead", g.goid, ev.lineno)
			}
		}
	}
	if !full {
		return
	}
	if creates == 0 {
		rep.addf("no create", "goroutine %d: no create", g.goid)
	}
	if dead == nil {
		if prev == "" {
			prev = "<nothing>"
		}
		rep.addf("never dead", "goroutine %d: never -> dead (last state %s)", g.goid, prev)
	}
	if exits == 0 {
		rep.addf("no exit", "goroutine %d: no exit", g.goid)
	} else if atProcessEnd(exit, rep) {
		// The truth's goroutines ended before the process: their exits are to be seen.
		rep.addf("exit only at the end", "goroutine %d: line %d: no exit seen, only its process's end", g.goid, exit.lineno)
	}
}

// checkTruth compares one goroutine's create and waits with its truth.
func checkTruth(g *goroutine, t *truth, rep *report) {
	var create *event
	for _, ev := range g.events {
		if *ev.Event == "create" {
			create = ev
			break
		}
	}
	if create != nil {
		var diffs, fields []string
		if create.Parent == nil || *create.Parent != t.Parent {
			diffs = append(diffs, fmt.Sprintf("parent %s, want %d", num(create.Parent), t.Parent))
			fields = append(fields, "parent")
		}
		if create.Func == nil || *create.Func != t.Func {
			diffs = append(diffs, fmt.Sprintf("func %s, want %q", str(create.Func), t.Func))
			fields = append(fields, "func")
		}
		if create.CreatedBy == nil || *create.CreatedBy != t.CreatedBy {
			diffs = append(diffs, fmt.Sprintf("created_by %s, want %q", str(create.CreatedBy), t.CreatedBy))
			fields = append(fields, "created_by")
		}
		if create.File == nil || *create.File != t.File {
			diffs = append(diffs, fmt.Sprintf("file %s, want %q", str(create.File), t.File))
			fields = append(fields, "file")
		}
		if create.Line == nil || *create.Line != t.Line {
			diffs = append(diffs, fmt.Sprintf("line %s, want %d", num(create.Line), t.Line))
			fields = append(fields, "line")
		}
		if len(diffs) > 0 {
			rep.addf("create "+strings.Join(fields, ","), "goroutine %d: line %d: create %s", g.goid, create.lineno, strings.Join(diffs, "; "))
		}
	}
	if t.Wait == "" {
		return
	}
	var reasons []string
	for _, ev := range g.events {
		if *ev.Event == "state" && ev.To != nil && *ev.To == "waiting" && ev.Reason != nil {
			if *ev.Reason == t.Wait {
				return
			}
			reasons = append(reasons, *ev.Reason)
		}
	}
	rep.addf("wait reason", "goroutine %d: never -> waiting with reason %q (reasons seen: %q)", g.goid, t.Wait, reasons)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const usage = "usage: checker -events FILE [-truth FILE] [-pid N] [-func-prefix P] [-mode M] [-baseline FILE -rates SPEC]"
	fs := flag.NewFlagSet("checker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	eventsPath := fs.String("events", "", "xgotop-tui JSONL `FILE` (- for stdin)")
	truthPath := fs.String("truth", "", "truth `FILE` written by the target")
	pidFlag := fs.Int64("pid", -1, "the target's `pid` (default: from the truth)")
	prefix := fs.String("func-prefix", "", "require a create whose func starts with `P`")
	mode := fs.String("mode", "lifecycle", "what the truth is about: lifecycle, allocs, allocs-hist, parked, gc, spin, sample or resync")
	fs.StringVar(&sampleBaseline, "baseline", "", "-mode sample: JSONL `FILE` of the same target traced without -sample")
	fs.StringVar(&sampleRates, "rates", "all", "-mode sample: the -sample `SPEC` of the run")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if *eventsPath == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if *mode != "lifecycle" {
		return runMode(*mode, *eventsPath, *truthPath, stdin, stdout, stderr)
	}

	rep := &report{}
	pid := *pidFlag
	var target *truth
	truthOf := map[int64]*truth{}
	if *truthPath != "" {
		var gs []*truth
		var err error
		if target, gs, err = readTruth(*truthPath); err != nil {
			fmt.Fprintf(stderr, "checker: %v\n", err)
			return 2
		}
		if pid < 0 {
			pid = *target.Pid
		} else if pid != *target.Pid {
			rep.addf("pid flag", "-pid %d, but the truth was written by pid %d", pid, *target.Pid)
		}
		for _, t := range gs {
			if truthOf[*t.Goid] != nil {
				fmt.Fprintf(stderr, "checker: %s: goid %d twice\n", *truthPath, *t.Goid)
				return 2
			}
			truthOf[*t.Goid] = t
		}
	}

	in := stdin
	if *eventsPath != "-" {
		f, err := os.Open(*eventsPath)
		if err != nil {
			fmt.Fprintf(stderr, "checker: %v\n", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	evs, err := readEvents(in, rep)
	if err != nil {
		fmt.Fprintf(stderr, "checker: %s: %v\n", *eventsPath, err)
		return 2
	}

	byGoid := map[int64]*goroutine{}
	var order []int64
	var creates, stateEvs, exits, inferred, unknownReasons, prefixed int
	for _, ev := range evs {
		checkEvent(ev, pid, rep)
		// A capture line is about the session: with -b, of no one process (pid 0).
		if pid >= 0 && *ev.Pid != pid && !(*ev.Event == "capture" && *ev.Pid == 0) {
			continue
		}
		if !lifecycleEvent(ev) {
			continue
		}
		g := byGoid[*ev.Goid]
		if g == nil {
			g = &goroutine{goid: *ev.Goid}
			byGoid[g.goid] = g
			order = append(order, g.goid)
		}
		g.events = append(g.events, ev)
		if !concluded(ev) && *ev.Ts > rep.end {
			rep.end = *ev.Ts
		}
		switch *ev.Event {
		case "create":
			creates++
			if ev.Func != nil {
				// Goroutine 1 is main.main (runtime.main as Go's dump shows it), never the truth's.
				main1 := g.goid == 1 && *ev.Func == "main.main"
				if truthOf[g.goid] == nil && strings.HasPrefix(*ev.Func, "main.") && !main1 && *truthPath != "" {
					rep.addf("unknown main.* create", "line %d: create of goid %d running %s, which the truth does not know", ev.lineno, g.goid, *ev.Func)
				}
				if *prefix != "" && strings.HasPrefix(*ev.Func, *prefix) {
					prefixed++
				}
			}
		case "state":
			stateEvs++
			if ev.Inferred != nil && *ev.Inferred {
				inferred++
			}
			if ev.Reason != nil && strings.HasPrefix(*ev.Reason, "#") {
				unknownReasons++
			}
		case "exit":
			exits++
		}
	}

	// Truth goroutines in goid order first, then the others in order of appearance.
	var truthIDs []int64
	for id := range truthOf {
		truthIDs = append(truthIDs, id)
	}
	sort.Slice(truthIDs, func(i, j int) bool { return truthIDs[i] < truthIDs[j] })
	truthEvents := 0
	for _, id := range truthIDs {
		g := byGoid[id]
		if g == nil {
			rep.addf("no events", "goroutine %d (%s): no events at all", id, truthOf[id].Func)
			continue
		}
		truthEvents += len(g.events)
		checkChain(g, true, rep)
		checkTruth(g, truthOf[id], rep)
	}
	others, othersCreated := 0, 0
	for _, id := range order {
		if truthOf[id] != nil {
			continue
		}
		others++
		g := byGoid[id]
		for _, ev := range g.events {
			if *ev.Event == "create" {
				othersCreated++
				break
			}
		}
		checkChain(g, false, rep)
	}
	if *prefix != "" && prefixed == 0 {
		rep.addf("no prefixed create", "no create of a function starting with %q", *prefix)
	}

	for i, m := range rep.mismatches {
		if i == 20 {
			fmt.Fprintf(stdout, "... and %d more\n", len(rep.mismatches)-20)
			break
		}
		fmt.Fprintf(stdout, "MISMATCH %s\n", m)
	}
	summary := fmt.Sprintf("checker: %d events (%d create, %d state, %d exit), %d inferred transitions, %d unknown wait reasons",
		len(evs), creates, stateEvs, exits, inferred, unknownReasons)
	if target != nil {
		summary += fmt.Sprintf("; %s pid %d: %d truth goroutines checked (%d events)", target.GoVersion, pid, len(truthIDs), truthEvents)
	}
	summary += fmt.Sprintf("; %d other goroutines (%d created while traced)", others, othersCreated)
	if *prefix != "" {
		summary += fmt.Sprintf("; %d creates of %s*", prefixed, *prefix)
	}
	summary += fmt.Sprintf("; %d mismatches", len(rep.mismatches))
	if len(rep.mismatches) > 0 {
		summary += " (" + rep.kindSummary() + ")"
	}
	fmt.Fprintln(stdout, summary)
	if len(rep.mismatches) > 0 {
		return 1
	}
	return 0
}

// lifecycleEvent: create, state and exit make a goroutine's chain; the other
// kinds (alloc, gc, alloc_hist) are about it, or about the process.
func lifecycleEvent(ev *event) bool {
	switch *ev.Event {
	case "create", "state", "exit":
		return true
	}
	return false
}
