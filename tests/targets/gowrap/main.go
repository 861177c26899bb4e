// Command gowrap starts goroutines through every shape of go statement the
// compiler wraps (go1.17+: a go statement with arguments starts in a
// no-argument wrapper closure) and prints, for each, the name Go's own
// traceback gives its start function: the bottom frame of runtime.Stack.
//
// Output: one "want GOID CASE FUNC" per goroutine, then "ready PID"; then
// it blocks until stdin closes so a tracer can attach. CASE names the go
// statement's shape; docs/JSONL.md says which shapes the tracer cannot name
// from the binary alone (an indirect call in the wrapper).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

var (
	started sync.WaitGroup
	hold    = make(chan struct{})
	mu      sync.Mutex
	names   = map[int]string{}
)

// report records the calling goroutine's id, CASE and its bottom shown frame.
func report(kase string) {
	buf := make([]byte, 1<<16)
	buf = buf[:runtime.Stack(buf, false)]
	lines := strings.Split(strings.TrimSpace(string(buf)), "\n")
	// "goroutine N [running]:", then func/file pairs, then "created by ...".
	f := strings.Fields(lines[0])
	id, _ := strconv.Atoi(f[1])
	last := ""
	for i := 1; i+1 < len(lines); i += 2 {
		if strings.HasPrefix(lines[i], "created by ") {
			break
		}
		last = lines[i]
	}
	if p := strings.LastIndexByte(last, '('); p > 0 {
		last = last[:p]
	}
	mu.Lock()
	names[id] = kase + " " + last
	mu.Unlock()
	started.Done()
	<-hold
}

type obj struct {
	n    int
	kase string
}

//go:noinline
func (o *obj) Method(x int) { o.n += x; report(o.kase) }

//go:noinline
func (o obj) ValMethod(x int) { _ = o.n + x; report("valmethod") }

//go:noinline
func (o *obj) NoArgs() { o.n++; report(o.kase) }

type runner interface{ Run(x int) }

type impl struct{ k int }

//go:noinline
func (i *impl) Run(x int) { i.k += x; report("devirt-iface") }

type vimpl struct{ k int }

//go:noinline
func (v vimpl) Run(x int) { _ = v.k + x; report("devirt-iface-value") }

type hidden struct{ k int }

//go:noinline
func (h *hidden) Run(x int) { h.k += x; report("indirect-iface") }

type hiddenv struct{ k int }

//go:noinline
func (h hiddenv) Run(x int) { _ = h.k + x; report("indirect-iface-value") }

// mk hides the dynamic type from the devirtualizer.
//
//go:noinline
func mk() runner { return &hidden{} }

// mkv: the same with a value receiver (the itab holds its pointer wrapper).
//
//go:noinline
func mkv() runner { return hiddenv{} }

//go:noinline
func generic[T any](v T) { _ = v; report("generic") }

//go:noinline
func Func(x int) { _ = x; report("func") }

//go:noinline
func variadic(xs ...int) { _ = xs; report("variadic") }

func nested(x int) {
	inner := func(a int) {
		go func(b int) { _ = b; report("indirect-nested-literal") }(a)
		go func() { _ = x; report("nested-noargs") }()
	}
	inner(x)
}

func main() {
	n := 0
	start := func() { n++; started.Add(1) }
	x := len(os.Args)

	closureWithArgs := func(a int) { _ = a; report("indirect-closure-var") }
	start()
	go closureWithArgs(x) // closure variable with arguments
	start()
	go func(a int) { _ = a; report("indirect-literal") }(1) // closure literal with arguments
	start()
	go func(a, b int) { _ = a + b + x; report("indirect-capturing-literal") }(x, 2) // capturing literal
	start()
	go (&obj{kase: "method"}).Method(x) // static method call
	m := (&obj{kase: "indirect-method-value"}).Method
	start()
	go m(x) // method value
	fm := (&obj{kase: "fm-noargs"}).NoArgs
	start()
	go fm() // no wrapper closure: starts in the -fm method value wrapper
	start()
	go obj{}.ValMethod(x)
	start()
	go (*obj).Method(&obj{kase: "method-expr"}, x) // method expression
	var r runner = &impl{}
	start()
	go r.Run(x) // interface method
	var rv runner = vimpl{}
	start()
	go rv.Run(x) // interface method, value receiver
	start()
	go mk().Run(x) // interface method, dynamic type
	start()
	go mkv().Run(x) // interface method, dynamic type, value receiver
	start()
	go generic(x) // generic function (Go prints main.generic[...])
	start()
	go Func(x) // package function
	start()
	go variadic(x, 2, 3)
	start()
	go func() { report("noargs") }() // no wrapper at all
	start()
	start()
	nested(x)
	started.Wait()

	mu.Lock()
	if len(names) != n {
		fmt.Fprintf(os.Stderr, "gowrap: %d goroutines reported, %d started\n", len(names), n)
		os.Exit(1)
	}
	for id, name := range names {
		fmt.Printf("want %d %s\n", id, name)
	}
	mu.Unlock()
	fmt.Printf("ready %d\n", os.Getpid())
	buf := make([]byte, 1)
	for {
		if _, err := os.Stdin.Read(buf); err != nil {
			break
		}
	}
	close(hold)
}
