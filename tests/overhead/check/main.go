// Command check compares an xgotop-tui JSONL stream with what a target of
// tests/overhead (or tests/targets/lifecycle) says it did.
//
//	check -events F -truth T -waits        every truth goroutine is seen waiting
//	                                       with its wait reason, and seen exiting
//	                                       (an inferred exit, at the process's
//	                                       end, is not seen)
//	check -events F -truth T -once         every truth goroutine has exactly one
//	                                       create and one exit (lifecycle truth)
//	check -events F -created N -prefix P   N goroutines whose start function
//	                                       starts with P: one create and one exit
//	                                       each, no duplicated copystack transition
//	check ... -created N -prefix P -atmost   the same for those seen, at most N
//	                                       of them (polling sees no goroutine that
//	                                       lived between two reads), and no
//	                                       goroutine of any function ends or
//	                                       changes state without its create
//	check ... -atmost -open                the same, but one seen may lack its
//	                                       exit (the trace ended polling: what
//	                                       ended after its last read is not seen)
//
// Always: the events belong to one pid, and every goroutine's states form a
// chain (each from is the previous to; a create carries the first state).
// Prints each mismatch (the first 20) and a summary; exits 1 on a mismatch,
// 2 on bad usage or input.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Event    string `json:"event"`
	Ts       uint64 `json:"ts"`
	Pid      int64  `json:"pid"`
	Goid     int64  `json:"goid"`
	Func     string `json:"func"`
	From     string `json:"from"`
	To       string `json:"to"`
	State    string `json:"state"`
	Reason   string `json:"reason"`
	Inferred bool   `json:"inferred"`
}

type truth struct {
	Goid *int64 `json:"goid"`
	Wait string `json:"wait"`
}

type gor struct {
	creates, exits int
	// An inferred exit's ts: concluded, not seen. One after every line seen
	// is the process's end (docs/JSONL.md): not counted as an exit seen.
	concluded uint64
	ended     int
	lives     int // create, state and exit lines
	last      string
	waits     map[string]bool
	funcName  string
	copystack int // inferred transitions into or out of copystack
}

var mismatches []string

func addf(format string, args ...interface{}) {
	mismatches = append(mismatches, fmt.Sprintf(format, args...))
}

func readLines(path string, fn func(line []byte) error) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if err := fn(sc.Bytes()); err != nil {
			fmt.Fprintf(os.Stderr, "check: %s: %v\n", path, err)
			os.Exit(2)
		}
	}
}

func main() {
	events := flag.String("events", "", "the JSONL stream")
	truthPath := flag.String("truth", "", "the target's truth")
	waits := flag.Bool("waits", false, "check wait reasons and exits of the truth goroutines")
	once := flag.Bool("once", false, "check one create and one exit per truth goroutine")
	created := flag.Int("created", -1, "goroutines the target created with -prefix")
	prefix := flag.String("prefix", "main.", "start function prefix of -created")
	atmost := flag.Bool("atmost", false, "-created is a ceiling: goroutines seen are checked")
	open := flag.Bool("open", false, "with -atmost: a goroutine may lack its exit")
	flag.Parse()
	if *events == "" {
		fmt.Fprintln(os.Stderr, "usage: check -events F [-truth T -waits|-once] [-created N -prefix P]")
		os.Exit(2)
	}

	gs := map[int64]*gor{}
	var pid int64 = -1
	var lastSeen uint64 // of the lines not concluded
	n := 0
	readLines(*events, func(line []byte) error {
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			return err
		}
		n++
		if pid < 0 {
			pid = e.Pid
		} else if e.Pid != pid {
			addf("event %d: pid %d, want %d", n, e.Pid, pid)
		}
		g := gs[e.Goid]
		if g == nil {
			g = &gor{waits: map[string]bool{}}
			gs[e.Goid] = g
		}
		switch e.Event {
		case "create", "state", "exit":
			g.lives++
			concl := e.Inferred && (e.Event == "exit" || e.To == "dead")
			if !concl && e.Ts > lastSeen {
				lastSeen = e.Ts
			}
		}
		switch e.Event {
		case "create":
			g.creates++
			g.funcName = e.Func
			g.last = e.State
			if e.State == "waiting" {
				g.waits[e.Reason] = true
			}
		case "state":
			if g.last != "" && e.From != g.last {
				addf("goroutine %d: %s -> %s after %s", e.Goid, e.From, e.To, g.last)
			}
			g.last = e.To
			if e.To == "waiting" {
				g.waits[e.Reason] = true
			}
			if e.Inferred && (e.From == "copystack" || e.To == "copystack") {
				g.copystack++
			}
		case "exit":
			if g.exits > 0 || g.concluded > 0 {
				addf("goroutine %d: a second exit", e.Goid)
			}
			if e.Inferred {
				g.concluded = e.Ts
			} else {
				g.exits++
			}
			if g.last != "dead" {
				addf("goroutine %d: exit after %s", e.Goid, g.last)
			}
		}
		return nil
	})

	// Concluded before the end (attach, a switch, lost records): ended all the same.
	for _, g := range gs {
		if g.concluded == 0 {
			continue
		}
		if g.concluded >= lastSeen {
			g.ended++
		} else {
			g.exits++
		}
	}

	checked := 0
	if *truthPath != "" {
		readLines(*truthPath, func(line []byte) error {
			var t truth
			if err := json.Unmarshal(line, &t); err != nil {
				return err
			}
			if t.Goid == nil {
				return nil // the first line describes the target
			}
			checked++
			g := gs[*t.Goid]
			if g == nil {
				addf("goroutine %d: no events", *t.Goid)
				return nil
			}
			if *waits && t.Wait != "" && !g.waits[t.Wait] {
				keys := []string{}
				for k := range g.waits {
					keys = append(keys, fmt.Sprintf("%q", k))
				}
				addf("goroutine %d: never seen waiting on %q (seen: %s)", *t.Goid, t.Wait,
					strings.Join(keys, ", "))
			}
			if *waits && g.exits != 1 {
				addf("goroutine %d: %d exits, want 1", *t.Goid, g.exits)
			}
			if *once && (g.creates != 1 || g.exits != 1) {
				addf("goroutine %d: %d creates and %d exits, want 1 and 1", *t.Goid,
					g.creates, g.exits)
			}
			return nil
		})
	}
	if *created >= 0 {
		got := 0
		for id, g := range gs {
			// Goroutine 1 is named main.main, as Go's tracebacks show it, and
			// lives as long as the process: not one the target created.
			if id == 1 || !strings.HasPrefix(g.funcName, *prefix) {
				continue
			}
			got++
			if g.creates != 1 || g.exits > 1 || (g.exits != 1 && !*open) {
				addf("goroutine %d (%s): %d creates and %d exits, want 1 and 1", id,
					g.funcName, g.creates, g.exits)
			}
			if g.copystack != 0 {
				addf("goroutine %d (%s): %d inferred copystack transitions", id,
					g.funcName, g.copystack)
			}
		}
		if *atmost {
			for id, g := range gs {
				if g.creates == 0 && g.lives > 0 {
					addf("goroutine %d: %d exits and no create", id, g.exits)
				}
			}
		}
		if got != *created && (!*atmost || got > *created || got == 0) {
			addf("%d goroutines start in %s*, the target made %d", got, *prefix, *created)
		}
	}
	for i, m := range mismatches {
		if i == 20 {
			fmt.Printf("... and %d more\n", len(mismatches)-20)
			break
		}
		fmt.Println("MISMATCH", m)
	}
	fmt.Printf("check: %d events, %d goroutines, %d truth goroutines checked; %d mismatches\n",
		n, len(gs), checked, len(mismatches))
	if n == 0 || len(mismatches) > 0 {
		os.Exit(1)
	}
}
