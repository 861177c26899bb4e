package main

import "testing"

// The same values as test_goid_hash in tests/unit/test_sample.c: the checker
// and the tracer must agree on which goroutines a rate keeps.
func TestGoidHash(t *testing.T) {
	for _, c := range []struct {
		pid  uint32
		goid uint64
		want uint64
	}{{4242, 17, 1702490152}, {1, 1, 987723795}, {4194304, 123456789, 136018808}} {
		if got := goidHash(c.pid, c.goid); got != c.want {
			t.Errorf("goidHash(%d, %d) = %d, want %d", c.pid, c.goid, got, c.want)
		}
	}
	if got := rateThresh(0.3); got != 1288490189 {
		t.Errorf("rateThresh(0.3) = %d, want 1288490189", got)
	}
}

func TestParseRates(t *testing.T) {
	r, err := parseRates("goroutine:0.3,newobject:0")
	if err != nil || r["goroutine"] != 0.3 || r["newobject"] != 0 || r["casgstatus"] != 1 {
		t.Errorf("parseRates: %v, %v", r, err)
	}
	for _, bad := range []string{"goroutine", "foo:1", "goroutine:2"} {
		if _, err := parseRates(bad); err == nil {
			t.Errorf("parseRates(%q) accepted", bad)
		}
	}
}
