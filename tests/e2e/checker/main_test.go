package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The good trace of testdata/good.jsonl, one map per line, in file order.
func loadGood(t *testing.T) []map[string]interface{} {
	t.Helper()
	f, err := os.Open("testdata/good.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []map[string]interface{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := map[string]interface{}{}
		d := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, m)
	}
	return evs
}

func write(t *testing.T, evs []map[string]interface{}, raw ...string) string {
	t.Helper()
	var b bytes.Buffer
	for _, m := range evs {
		j, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	for _, r := range raw {
		b.WriteString(r + "\n")
	}
	p := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func check(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String() + errb.String()
}

// find returns the index of the n-th (0-based) event of goid with the given kind
// ("" for any), or fails.
func find(t *testing.T, evs []map[string]interface{}, goid int, kind string, n int) int {
	t.Helper()
	for i, m := range evs {
		if m["goid"].(json.Number).String() == strconv.Itoa(goid) &&
			(kind == "" || m["event"] == kind) {
			if n == 0 {
				return i
			}
			n--
		}
	}
	t.Fatalf("no event %d of kind %q for goid %d", n, kind, goid)
	return -1
}

func remove(evs []map[string]interface{}, i int) []map[string]interface{} {
	return append(append([]map[string]interface{}{}, evs[:i]...), evs[i+1:]...)
}

func clone(m map[string]interface{}) map[string]interface{} {
	c := map[string]interface{}{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

func TestGood(t *testing.T) {
	code, out := check(t, "-events", "testdata/good.jsonl", "-truth", "testdata/truth.jsonl")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{
		"21 events (4 create, 14 state, 3 exit)", "1 inferred transitions",
		"3 truth goroutines checked (15 events)", "2 other goroutines (1 created while traced)",
		"0 mismatches",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// The same trace read from stdin, without a truth, with the pid given.
	var o, e bytes.Buffer
	f, _ := os.Open("testdata/good.jsonl")
	defer f.Close()
	if code := run([]string{"-events", "-", "-pid", "100", "-func-prefix", "runtime.gcBg"}, f, &o, &e); code != 0 {
		t.Fatalf("stdin: exit %d:\n%s%s", code, o.String(), e.String())
	}
}

func TestMismatches(t *testing.T) {
	type mut func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string)
	set := func(goid int, kind string, n int, key string, val interface{}) mut {
		return func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			i := find(t, evs, goid, kind, n)
			evs[i] = clone(evs[i])
			if val == nil {
				delete(evs[i], key)
			} else {
				evs[i][key] = val
			}
			return evs, nil
		}
	}
	drop := func(goid int, kind string, n int) mut {
		return func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			return remove(evs, find(t, evs, goid, kind, n)), nil
		}
	}
	dup := func(goid int, kind string, n int) mut {
		return func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			i := find(t, evs, goid, kind, n)
			out := append([]map[string]interface{}{}, evs[:i+1]...)
			out = append(out, clone(evs[i]))
			return append(out, evs[i+1:]...), nil
		}
	}
	appendRaw := func(lines ...string) mut {
		return func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			return evs, lines
		}
	}
	cases := []struct {
		name string
		mut  mut
		args []string
		want string
	}{
		{"parent", set(5, "create", 0, "parent", 2), nil, "goroutine 5: line 1: create parent 2, want 1"},
		{"func", set(7, "create", 0, "func", "main.spawnWithArgs.gowrap1"), nil,
			`create func "main.spawnWithArgs.gowrap1", want "main.argWorker"`},
		{"created_by", set(6, "create", 0, "created_by", "main.main"), nil, `created_by "main.main", want "main.worker"`},
		{"file", set(6, "create", 0, "file", "main.go"), nil, `file "main.go", want "/src/lifecycle/main.go"`},
		{"line", set(6, "create", 0, "line", 239), nil, "line 239, want 240"},
		{"line missing", set(6, "create", 0, "line", nil), nil, "lacks parent, func, created_by, file or line"},
		{"no create", drop(6, "create", 0), nil, "goroutine 6: no create"},
		{"two creates", dup(6, "create", 0), nil, "goroutine 6: line 6: second create"},
		{"no exit", drop(7, "exit", 0), nil, "goroutine 7: no exit"},
		{"two exits", dup(7, "exit", 0), nil, "goroutine 7: line 14: second exit"},
		{"no dead", drop(6, "state", 1), nil, "goroutine 6: never -> dead (last state running)"},
		{"exit before dead", drop(6, "state", 1), nil, "goroutine 6: line 8: exit before any -> dead"},
		{"chain broken", drop(5, "state", 1), nil, "goroutine 5: line 10: waiting -> runnable, but it was running"},
		{"first from", set(7, "state", 0, "from", "waiting"), nil, "goroutine 7: line 10: waiting -> running, but it was runnable"},
		{"state after dead", func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			i := find(t, evs, 7, "state", 1)
			s := clone(evs[i])
			s["from"], s["to"] = "dead", "runnable"
			out := append(append([]map[string]interface{}{}, evs[:i+1]...), s)
			return append(out, evs[i+1:]...), nil
		}, nil, "goroutine 7: line 13: dead -> runnable after -> dead (line 12)"},
		{"event after exit", func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			s := clone(evs[find(t, evs, 7, "state", 1)])
			s["ts"] = 5000
			return append(evs, s), nil
		}, nil, "goroutine 7: line 22: state after exit (line 13)"},
		{"ts back", set(5, "state", 2, "ts", 1000), nil, "goroutine 5: line 11: ts 1000 before the previous event's 1040"},
		{"other pid", set(20, "state", 0, "pid", 101), nil, "line 18: pid 101, want 100 (goid 20, state)"},
		{"unknown main func", set(20, "create", 0, "func", "main.ghost"), nil,
			"line 17: create of goid 20 running main.ghost, which the truth does not know"},
		{"wrong wait reason", set(5, "state", 1, "reason", "#7"), nil,
			`goroutine 5: never -> waiting with reason "chan receive" (reasons seen: ["#7"])`},
		{"waiting without reason", set(20, "state", 1, "reason", nil), nil, "line 19: goid 20: -> waiting without a reason"},
		{"unknown state", set(20, "state", 0, "to", "sleeping"), nil, "unknown state in runnable -> sleeping"},
		{"other goroutine chain", drop(1, "state", 1), nil, "goroutine 1: line 20: runnable -> running, but it was waiting"},
		{"truth goroutine absent", func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			var out []map[string]interface{}
			for _, m := range evs {
				if m["goid"].(json.Number).String() != "6" {
					out = append(out, m)
				}
			}
			return out, nil
		}, nil, "goroutine 6 (main.worker.func1): no events at all"},
		{"not json", appendRaw(`{"event":"state",`), nil, "line 22: not a JSON event"},
		{"empty line", appendRaw(``), nil, "line 22: empty line"},
		{"missing tid", set(20, "state", 1, "tid", nil), nil, "line 19: missing tid"},
		{"missing ts and pid", set(20, "state", 1, "ts", nil), nil, "line 19: missing ts"},
		{"no prefixed create", nil, []string{"-func-prefix", "github.com/junegunn/fzf/"}, `no create of a function starting with "github.com/junegunn/fzf/"`},
		{"pid agrees", nil, []string{"-pid", "100", "-truth", "testdata/truth.jsonl"}, ""},
		// Go prints no creator for goroutine 1; any other create needs one.
		{"main without creator", func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			g1 := map[string]interface{}{"event": "create", "ts": 990, "pid": 100, "goid": 1, "tid": 100,
				"parent": 0, "func": "main.main", "created_by": nil, "file": nil, "line": nil,
				"existing": true, "state": "running"}
			return append([]map[string]interface{}{g1}, evs...), nil
		}, nil, ""},
		{"creator missing", set(5, "create", 0, "created_by", nil), nil, "lacks parent, func, created_by, file or line"},
		// Alive when the process exited: an inferred -> dead and exit after all else (docs/JSONL.md).
		{"others end with the process", func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			return append(append(evs, endWithProcess(1, "running", 2000)...), endWithProcess(20, "waiting", 2000)...), nil
		}, nil, ""},
		{"truth goroutine's exit only at the end", func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			evs = remove(evs, find(t, evs, 7, "exit", 0))
			evs = remove(evs, find(t, evs, 7, "state", 1))
			return append(evs, endWithProcess(7, "running", 2000)...), nil
		}, nil, "goroutine 7: line 21: no exit seen, only its process's end"},
		{"many", func(t *testing.T, evs []map[string]interface{}) ([]map[string]interface{}, []string) {
			var raw []string
			for i := 0; i < 25; i++ {
				raw = append(raw, "junk")
			}
			return evs, raw
		}, nil, "... and 5 more"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs := loadGood(t)
			var raw []string
			if c.mut != nil {
				evs, raw = c.mut(t, evs)
			}
			args := []string{"-events", write(t, evs, raw...)}
			if c.args != nil {
				args = append(args, c.args...)
			} else {
				args = append(args, "-truth", "testdata/truth.jsonl")
			}
			code, out := check(t, args...)
			t.Log(out)
			if c.want == "" {
				if code != 0 {
					t.Fatalf("exit %d, want 0:\n%s", code, out)
				}
				return
			}
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(out, "MISMATCH "+c.want) && !strings.Contains(out, c.want) {
				t.Errorf("output lacks %q:\n%s", c.want, out)
			}
		})
	}
}

func TestPidAgainstTruth(t *testing.T) {
	code, out := check(t, "-events", "testdata/good.jsonl", "-truth", "testdata/truth.jsonl", "-pid", "99")
	if code != 1 || !strings.Contains(out, "-pid 99, but the truth was written by pid 100") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"-events"}, {"-events", "x", "extra"}, {"-bogus"}} {
		if code, out := check(t, args...); code != 2 || !strings.Contains(out, "usage: checker") {
			t.Errorf("%q: exit %d:\n%s", args, code, out)
		}
	}
	if code, _ := check(t, "-events", "/nonexistent"); code != 2 {
		t.Errorf("unreadable events: exit %d, want 2", code)
	}
	bad := filepath.Join(t.TempDir(), "truth.jsonl")
	os.WriteFile(bad, []byte(`{"pid":1,"goversion":"go1.22.0","goroutines":2}`+"\n"+`{"goid":5}`+"\n"), 0o644)
	if code, out := check(t, "-events", "testdata/good.jsonl", "-truth", bad); code != 2 || !strings.Contains(out, "says 2 goroutines, holds 1") {
		t.Errorf("short truth: exit %d:\n%s", code, out)
	}
}

func TestKindSummary(t *testing.T) {
	evs := loadGood(t)
	evs = remove(evs, find(t, evs, 7, "exit", 0))
	p := write(t, evs, "junk", "junk")
	code, out := check(t, "-events", p, "-truth", "testdata/truth.jsonl")
	if code != 1 || !strings.Contains(out, "3 mismatches (not JSON 2, no exit 1)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// endWithProcess: the lines the tracer writes for goroutine GOID, in state
// FROM, when its process exits (inferred -> dead and exit, at TS).
func endWithProcess(goid int, from string, ts int) []map[string]interface{} {
	return []map[string]interface{}{
		{"event": "state", "ts": ts, "pid": 100, "goid": goid, "tid": 0, "from": from, "to": "dead", "inferred": true},
		{"event": "exit", "ts": ts, "pid": 100, "goid": goid, "tid": 0, "inferred": true},
	}
}
