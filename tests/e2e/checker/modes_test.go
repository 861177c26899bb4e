package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes LINES, one per line, to a temporary file.
func writeFile(t *testing.T, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// expectMode runs the checker in MODE and wants exit CODE and each of WANT in its output.
func expectMode(t *testing.T, mode, events, truth string, code int, want ...string) {
	t.Helper()
	got, out := check(t, "-mode", mode, "-events", events, "-truth", truth)
	if got != code {
		t.Fatalf("-mode %s: exit %d, want %d:\n%s", mode, got, code, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("-mode %s: output lacks %q:\n%s", mode, w, out)
		}
	}
}

const classes = `[8,16,24,32,48,64,80,96,112,128,144,160,176,192,208,224,240,256,288,320,352,384,416,448,480,512,576,640,704,768,896,1024,1152,1280,1408,1536,1792,2048,2304,2688,3072,3200,3456,4096,4864,5376,6144,6528,6784,6912,8192,9472,9728,10240,10880,12288,13568,14336,16384,18432,19072,20480,21760,24576,27264,28672,32768]`

func allocsTruth(t *testing.T) string {
	return writeFile(t, "truth.jsonl",
		`{"pid":7,"goversion":"go1.22.12","classes":`+classes+`,"header":true,"workers":1}`,
		`{"goid":18,"kind":"object","size":24,"type":"main.T24","count":2}`,
		`{"goid":18,"kind":"slice","size":640,"type":"main.Elem","ptr":true,"count":1}`,
		`{"goid":18,"kind":"map","hint":50}`)
}

func allocLine(goid, kind, size, class, typ, extra string) string {
	return `{"event":"alloc","ts":100,"pid":7,"goid":` + goid + `,"kind":"` + kind + `","size":` + size +
		`,"class":` + class + `,"type":` + typ + extra + `,"tid":7}`
}

func histLine(class, size, count string) string {
	return `{"event":"alloc_hist","ts":200,"pid":7,"goid":0,"class":` + class + `,"class_size":` + size +
		`,"count":` + count + `,"bytes":1,"tid":0}`
}

func TestAllocs(t *testing.T) {
	truth := allocsTruth(t)
	good := []string{
		allocLine("18", "object", "24", "3", `"main.T24"`, ""),
		allocLine("18", "object", "24", "3", `"main.T24"`, ""),
		// 640 bytes with pointers and a malloc header: 648, class 704.
		allocLine("18", "slice", "640", "29", `"main.Elem"`, ""),
		allocLine("18", "map", "48", "5", `"runtime.hmap"`, `,"hint":50`),
		allocLine("0", "other", "5", "0", `null`, ""),
		histLine("3", "24", "2"), histLine("29", "704", "1"), histLine("5", "48", "1"),
		histLine("0", "16", "1"),
	}
	expectMode(t, "allocs", writeFile(t, "e.jsonl", good...), truth, 0,
		"5 allocation events", "3 truth allocations and 1 maps", "0 mismatches")

	bad := append([]string{}, good[1:]...)
	bad[len(bad)-4] = histLine("3", "24", "1")
	expectMode(t, "allocs", writeFile(t, "e.jsonl", bad...), truth, 1, "allocation 1")

	bad = append([]string{}, good...)
	bad[2] = allocLine("18", "slice", "640", "28", `"main.Elem"`, "")
	expectMode(t, "allocs", writeFile(t, "e.jsonl", bad...), truth, 1, "size class 1", "histogram 2")

	bad = append([]string{}, good...)
	bad[3] = allocLine("18", "map", "48", "5", `"runtime.hmap"`, `,"hint":51`)
	expectMode(t, "allocs", writeFile(t, "e.jsonl", bad...), truth, 1, "map hint 1")

	bad = append([]string{}, good...)
	bad[6] = histLine("29", "640", "1")
	expectMode(t, "allocs", writeFile(t, "e.jsonl", bad...), truth, 1, "alloc_hist class_size 1")

	// Histogram only: no allocation event, and enough counted.
	hist := []string{histLine("3", "24", "9"), histLine("29", "704", "1")}
	expectMode(t, "allocs-hist", writeFile(t, "e.jsonl", hist...), truth, 0, "0 mismatches")
	expectMode(t, "allocs-hist", writeFile(t, "e.jsonl", append(hist, good[0])...), truth, 1, "alloc event 1")
	expectMode(t, "allocs-hist", writeFile(t, "e.jsonl", hist[:1]...), truth, 1, "histogram 1")
}

func waitLine(goid, reason string) string {
	return `{"event":"state","ts":100,"pid":7,"goid":` + goid + `,"from":"running","to":"waiting","reason":"` +
		reason + `","tid":7}`
}

func TestParked(t *testing.T) {
	prims := [][3]string{
		{"1", "chan receive", "chan receive"}, {"2", "chan send", "chan send"}, {"3", "select", "select"},
		{"4", "sync.Mutex", "semacquire"}, {"5", "sleep", "sleep"}, {"6", "accept", "IO wait"},
		{"7", "sync.WaitGroup", "semacquire"}, {"8", "sync.Cond", "sync.Cond.Wait"},
	}
	lines := []string{`{"pid":7,"goversion":"go1.19.13"}`}
	var evs []string
	for _, p := range prims {
		lines = append(lines, `{"goid":`+p[0]+`,"primitive":"`+p[1]+`","wait":"`+p[2]+`"}`)
		evs = append(evs, waitLine(p[0], p[2]))
	}
	truth := writeFile(t, "truth.jsonl", lines...)
	expectMode(t, "parked", writeFile(t, "e.jsonl", evs...), truth, 0, "8 parked goroutines on 8 primitives")

	bad := append([]string{}, evs...)
	bad[3] = waitLine("4", "#19")
	expectMode(t, "parked", writeFile(t, "e.jsonl", bad...), truth, 1, "unknown reason 1", "wait reason 1")

	// go1.20 names sync.Mutex: a truth that says semacquire contradicts the table.
	lines[0] = `{"pid":7,"goversion":"go1.20.14"}`
	expectMode(t, "parked", writeFile(t, "e.jsonl", evs...), writeFile(t, "t.jsonl", lines...), 1, "release table 1")
}

func gcLine(ts, phase, cycle, extra string) string {
	return `{"event":"gc","ts":` + ts + `,"pid":7,"goid":1,"phase":"` + phase + `","cycle":` + cycle + extra + `,"tid":7}`
}

func TestGC(t *testing.T) {
	truth := writeFile(t, "truth.json", `{"pid":7,"goversion":"go1.22.12","k":1,"numgc":1}`)
	sweep, mark := `,"reason":"GC sweep termination"`, `,"reason":"GC mark termination"`
	good := []string{
		gcLine("100", "stw_start", "null", sweep),
		gcLine("110", "start", "1", `,"trigger":"cycle","procs":2`),
		gcLine("120", "stw_end", "1", sweep+`,"stw_ns":20`),
		gcLine("200", "stw_start", "1", mark),
		gcLine("210", "mark_termination", "1", ""),
		gcLine("220", "sweep", "1", ""),
		gcLine("250", "stw_end", "1", mark+`,"stw_ns":50`),
		gcLine("250", "end", "1", `,"dur_ns":150,"stw":2,"stw_ns":70,"stw_max_ns":50,"mark_ns":100`),
		gcLine("300", "stw_start", "null", `,"reason":"read mem stats"`),
		gcLine("310", "stw_end", "null", `,"reason":"read mem stats","stw_ns":10`),
		gcLine("400", "stw_start", "null", `,"reason":"read mem stats"`),
		gcLine("410", "stw_end", "null", `,"reason":"read mem stats","stw_ns":10`),
		stwWaitLine("295", "stopping the world"),
		stwWaitLine("395", "stopping the world"),
	}
	expectMode(t, "gc", writeFile(t, "e.jsonl", good...), truth, 0, "1 complete cycles (1 by runtime.GC", "2 stopping-the-world waits")

	// go1.19's stale reason: the wait of ReadMemStats named after the previous one.
	bad := append([]string{}, good...)
	bad[13] = stwWaitLine("395", "chan receive")
	expectMode(t, "gc", writeFile(t, "e.jsonl", bad...), truth, 1, "stw wait reason 1")

	// Without the mark-termination pause.
	bad = append(append(append([]string{}, good[:3]...), good[4:6]...), good[7:]...)
	expectMode(t, "gc", writeFile(t, "e.jsonl", bad...), truth, 1, "gc pauses 1", "gc summary 1")

	// Without mark termination.
	bad = append(append([]string{}, good[:4]...), good[5:]...)
	expectMode(t, "gc", writeFile(t, "e.jsonl", bad...), truth, 1, "gc order 1")

	bad = append([]string{}, good...)
	bad[7] = gcLine("250", "end", "1", `,"dur_ns":150,"stw":2,"stw_ns":71,"stw_max_ns":50,"mark_ns":100`)
	expectMode(t, "gc", writeFile(t, "e.jsonl", bad...), truth, 1, "gc summary 1")

	expectMode(t, "gc", writeFile(t, "e.jsonl", good[8:]...), truth, 1, "gc cycles 1")
}

func stwWaitLine(ts, reason string) string {
	return `{"event":"state","ts":` + ts + `,"pid":7,"goid":1,"from":"running","to":"waiting","reason":"` + reason + `","tid":7}`
}

func runLine(ts, goid, from, to, pm string) string {
	return `{"event":"state","ts":` + ts + `,"pid":7,"goid":` + goid + `,"from":"` + from + `","to":"` + to + `"` + pm + `,"tid":7}`
}

func TestSpin(t *testing.T) {
	truth := writeFile(t, "truth.json",
		`{"pid":7,"goversion":"go1.22.12","gomaxprocs":2,"goid":18,"start_ns":1000,"end_ns":2000,"cpu_ns":990}`)
	good := []string{
		runLine("900", "18", "runnable", "running", `,"p":1,"m":3`),
		runLine("1500", "18", "running", "runnable", ""),
		runLine("1520", "18", "runnable", "running", `,"p":0,"m":4`),
		runLine("2100", "18", "running", "dead", ""),
	}
	expectMode(t, "spin", writeFile(t, "e.jsonl", good...), truth, 0, "ran 98.0% of")

	bad := append([]string{}, good...)
	bad[2] = runLine("1700", "18", "runnable", "running", `,"p":0,"m":4`)
	expectMode(t, "spin", writeFile(t, "e.jsonl", bad...), truth, 1, "cpu time 2")

	// A busy machine: the thread had 60% of the second; 78% running is fine.
	busy := writeFile(t, "busy.json",
		`{"pid":7,"goversion":"go1.22.12","gomaxprocs":2,"goid":18,"start_ns":1000,"end_ns":2000,"cpu_ns":600}`)
	expectMode(t, "spin", writeFile(t, "e.jsonl", bad...), busy, 0, "a busy machine")
	bad[2] = runLine("1990", "18", "runnable", "running", `,"p":0,"m":4`)
	expectMode(t, "spin", writeFile(t, "e.jsonl", bad...), busy, 1, "cpu time 1")

	bad = append([]string{}, good...)
	bad[2] = runLine("1520", "18", "runnable", "running", `,"p":2,"m":4`)
	expectMode(t, "spin", writeFile(t, "e.jsonl", bad...), truth, 1, "p and m 1")

	// Out of a syscall whose P sysmon took: p null on go1.26 only.
	sys := []string{good[0], runLine("1400", "18", "running", "syscall", ""),
		runLine("1410", "18", "syscall", "running", `,"p":null,"m":3`), good[3]}
	expectMode(t, "spin", writeFile(t, "e.jsonl", sys...), truth, 1, "p and m 1")
	truth26 := writeFile(t, "truth26.json",
		`{"pid":7,"goversion":"go1.26.8","gomaxprocs":2,"goid":18,"start_ns":1000,"end_ns":2000,"cpu_ns":990}`)
	expectMode(t, "spin", writeFile(t, "e.jsonl", sys...), truth26, 0, "1 out of a syscall without a P")

	bad = append([]string{}, good...)
	bad[1] = runLine("1500", "18", "running", "runnable", `,"p":1,"m":3`)
	expectMode(t, "spin", writeFile(t, "e.jsonl", bad...), truth, 1, "p and m 1")
}

func TestUnknownMode(t *testing.T) {
	code, out := check(t, "-mode", "nope", "-events", "x", "-truth", "y")
	if code != 2 || !strings.Contains(out, "unknown -mode nope") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, _ = check(t, "-mode", "gc", "-events", "x")
	if code != 2 {
		t.Fatalf("-mode without -truth: exit %d, want 2", code)
	}
}

func TestSyscall(t *testing.T) {
	truth := writeFile(t, "truth.jsonl", `{"pid":7,"goversion":"go1.26.8"}`, `{"goid":3,"blocked_ns":1000}`)
	create := `{"event":"create","ts":10,"pid":7,"goid":3,"parent":1,"func":"main.main.func1","created_by":"main.main","file":"m.go","line":1,"tid":7}`
	exit := `{"event":"exit","ts":2000,"pid":7,"goid":3,"tid":7}`
	good := []string{create, runLine("20", "3", "runnable", "running", ""), runLine("30", "3", "running", "syscall", ""),
		runLine("1030", "3", "syscall", "running", ""), runLine("1040", "3", "running", "dead", ""), exit}
	expectMode(t, "syscall", writeFile(t, "e.jsonl", good...), truth, 0, "1 readers", "100.0%")

	// go1.26 before the tracepoints: the read shows as running.
	bad := append(append([]string{}, good[:2]...), good[4:]...)
	expectMode(t, "syscall", writeFile(t, "e.jsonl", bad...), truth, 1, "syscall span 1")

	// A span cut short: 89% of the blocked time.
	bad = append([]string{}, good...)
	bad[2] = runLine("141", "3", "running", "syscall", "")
	expectMode(t, "syscall", writeFile(t, "e.jsonl", bad...), truth, 1, "syscall span 1")
}
