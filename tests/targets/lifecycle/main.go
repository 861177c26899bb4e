// Command lifecycle is the ground-truth target of the end-to-end tests. It runs a
// fixed workload of 310 goroutines (nested spawners, named functions, closures,
// go statements with arguments, goroutines parked on every common primitive) and
// writes, for every goroutine it created, what a tracer must report about it.
//
//	lifecycle [-now] [-truth FILE] [-exit N]
//
// Without -now it installs a SIGUSR1 handler, prints "ready" and waits for the
// signal, so a tracer can attach by pid first. -truth FILE gets one JSON object
// per line: first {"pid","goversion","goroutines"}, then one per goroutine
// {"goid","parent","func","created_by","file","line"[,"wait"]}, where "wait" is a
// wait reason the runtime itself showed for that goroutine while it was parked.
//
// The truth is not what the source says but what the runtime says: each child
// reads its goid and start function from its own stack, and checks that the
// runtime's "created by" record names the same function, file and line (and,
// from Go 1.21, parent) that its parent wrote down before the go statement. Any
// disagreement makes the program fail (exit 3) instead of writing a wrong truth.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type truth struct {
	Goid      int64  `json:"goid"`
	Parent    int64  `json:"parent"`
	Func      string `json:"func"`
	CreatedBy string `json:"created_by"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Wait      string `json:"wait,omitempty"`
}

type meta struct {
	Pid        int    `json:"pid"`
	GoVersion  string `json:"goversion"`
	Goroutines int    `json:"goroutines"`
}

var (
	truthMu sync.Mutex
	truths  = map[int64]*truth{}
)

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "lifecycle: "+format+"\n", args...)
	os.Exit(3)
}

// curGoid parses "goroutine N [" from the current goroutine's stack.
func curGoid() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	f := strings.Fields(string(buf[:n]))
	if len(f) < 2 || f[0] != "goroutine" {
		fatalf("cannot parse own stack header %q", buf[:n])
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		fatalf("cannot parse own goid in %q", buf[:n])
	}
	return id
}

// site is what a parent knows about the go statement it is about to run.
type site struct {
	parent    int64
	createdBy string
	file      string
	line      int
}

// One go statement at a time: the parent holds spawnMu from begin until its
// child has taken the site from handoff, so no other child can take it.
var (
	spawnMu sync.Mutex
	handoff = make(chan site)
)

// begin must be called on the line just above a go statement, end just below.
func begin() site {
	spawnMu.Lock()
	pcs := make([]uintptr, 1)
	if runtime.Callers(2, pcs) != 1 {
		fatalf("runtime.Callers failed")
	}
	fr, _ := runtime.CallersFrames(pcs).Next()
	return site{parent: curGoid(), createdBy: fr.Function, file: fr.File, line: fr.Line + 1}
}

func end(s site) {
	handoff <- s
	spawnMu.Unlock()
}

// startFunc is the outermost frame of the calling goroutine as the runtime
// shows it: the function of g.startpc, or the function a go-statement wrapper
// calls (see spawnWithArgs).
func startFunc() string {
	pcs := make([]uintptr, 128)
	n := runtime.Callers(1, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	prev := ""
	for {
		fr, more := frames.Next()
		if fr.Function == "runtime.goexit" {
			return prev
		}
		prev = fr.Function
		if !more {
			break
		}
	}
	fatalf("no runtime.goexit frame on the stack of goroutine %d", curGoid())
	return ""
}

// createdBy parses the runtime's own record of the go statement that made the
// current goroutine: "created by F[ in goroutine P]\n\tFILE:LINE[ +0x..]".
func createdBy() (fn string, parent int64, file string, line int) {
	buf := make([]byte, 8192)
	buf = buf[:runtime.Stack(buf, false)]
	i := bytes.LastIndex(buf, []byte("\ncreated by "))
	if i < 0 {
		fatalf("no \"created by\" in stack:\n%s", buf)
	}
	lines := strings.SplitN(string(buf[i+len("\ncreated by "):]), "\n", 3)
	if len(lines) < 2 {
		fatalf("truncated \"created by\" in stack:\n%s", buf)
	}
	fn, parent = lines[0], -1
	if j := strings.Index(fn, " in goroutine "); j >= 0 {
		p, err := strconv.ParseInt(fn[j+len(" in goroutine "):], 10, 64)
		if err != nil {
			fatalf("bad parent in %q", lines[0])
		}
		fn, parent = fn[:j], p
	}
	loc := strings.TrimSpace(lines[1])
	if j := strings.Index(loc, " +0x"); j >= 0 {
		loc = loc[:j]
	}
	j := strings.LastIndexByte(loc, ':')
	if j < 0 {
		fatalf("bad location %q", lines[1])
	}
	line, err := strconv.Atoi(loc[j+1:])
	if err != nil {
		fatalf("bad line in %q", lines[1])
	}
	return fn, parent, loc[:j], line
}

// hello is the first call of every goroutine of the workload: it takes the site
// from the parent, checks it against the runtime and records the truth.
func hello() int64 {
	s := <-handoff
	t := &truth{Goid: curGoid(), Parent: s.parent, Func: startFunc(), CreatedBy: s.createdBy,
		File: s.file, Line: s.line}
	fn, parent, file, line := createdBy()
	if fn != t.CreatedBy || file != t.File || line != t.Line || (parent >= 0 && parent != t.Parent) {
		fatalf("goroutine %d: parent says created by %s in goroutine %d at %s:%d, runtime says %s in goroutine %d at %s:%d",
			t.Goid, t.CreatedBy, t.Parent, t.File, t.Line, fn, parent, file, line)
	}
	truthMu.Lock()
	if truths[t.Goid] != nil {
		fatalf("goid %d seen twice", t.Goid)
	}
	truths[t.Goid] = t
	truthMu.Unlock()
	return t.Goid
}

var sink int64

// spin burns a little CPU so short-lived goroutines are seen running.
func spin(n int) {
	s := int64(0)
	for i := 0; i < n; i++ {
		s += int64(i * i)
	}
	atomic.AddInt64(&sink, s)
}

// --- a tree of named spawners: main -> worker -> subworker -> closure ----------

const (
	nWorkers    = 8
	nSubworkers = 3
	nLeaves     = 2
)

func worker() {
	hello()
	spin(1000)
	for i := 0; i < nSubworkers; i++ {
		s := begin()
		go subworker()
		end(s)
	}
}

func subworker() {
	hello()
	gate := make(chan struct{})
	for i := 0; i < nLeaves; i++ {
		s := begin()
		go func() {
			hello()
			<-gate
			spin(500)
		}()
		end(s)
	}
	time.Sleep(2 * time.Millisecond)
	close(gate)
}

//go:noinline
func spawnWorkers() {
	for i := 0; i < nWorkers; i++ {
		s := begin()
		go worker()
		end(s)
	}
}

// --- nested closures: func1 -> func1.1 -> func1.1.1 ---------------------------

const nClosures = 10

//go:noinline
func spawnClosures() {
	for i := 0; i < nClosures; i++ {
		s := begin()
		go func() {
			hello()
			for j := 0; j < 2; j++ {
				s := begin()
				go func() {
					hello()
					s := begin()
					go func() {
						hello()
						spin(200)
					}()
					end(s)
				}()
				end(s)
			}
		}()
		end(s)
	}
}

// --- go statements with arguments and method values ---------------------------
// Since Go 1.17 the compiler wraps these in a closure without arguments
// (main.spawnWithArgs.func1, from Go 1.22 .gowrap1), and g.startpc is that
// wrapper's entry. The runtime hides it: tracebacks elide it, and the execution
// tracer reports the wrapped function, found through the wrapper's
// FUNCDATA_WrapInfo (runtime.startPCforTrace). The truth follows the runtime:
// the start function of `go argWorker(i, c)` is main.argWorker.

type counter struct{ n int64 }

func (c *counter) run() {
	hello()
	atomic.AddInt64(&c.n, 1)
}

func argWorker(i int, c *counter) {
	hello()
	atomic.AddInt64(&c.n, int64(i))
}

//go:noinline
func spawnWithArgs() {
	c := &counter{}
	for i := 0; i < 5; i++ {
		s := begin()
		go argWorker(i, c)
		end(s)
	}
	for i := 0; i < 5; i++ {
		s := begin()
		go c.run()
		end(s)
	}
}

// --- goroutines the runtime shows parked on each primitive -------------------

const nBlocked = 20

// group collects the goids of goroutines that have reached their blocking call.
type group struct {
	mu  sync.Mutex
	ids []int64
}

func (g *group) arrive(id int64) {
	g.mu.Lock()
	g.ids = append(g.ids, id)
	g.mu.Unlock()
}

func (g *group) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.ids)
}

// parked waits until all n goroutines of g arrived and the runtime's goroutine
// dump has shown each of them waiting with one of the allowed reasons (which
// differ between releases, e.g. "semacquire" before Go 1.20 for sync.Mutex), and
// records the reason it showed as that goroutine's expected wait.
func (g *group) parked(n int, allowed ...string) {
	deadline := time.Now().Add(30 * time.Second)
	for g.count() < n {
		if time.Now().After(deadline) {
			fatalf("only %d of %d goroutines reached their %v", g.count(), n, allowed)
		}
		time.Sleep(time.Millisecond)
	}
	want := map[int64]bool{}
	for _, id := range g.ids {
		want[id] = true
	}
	seen := map[int64]string{}
	buf := make([]byte, 1<<20)
	for len(seen) < len(want) {
		if time.Now().After(deadline) {
			fatalf("%d of %d goroutines never seen parked on %v", len(want)-len(seen), len(want), allowed)
		}
		n := runtime.Stack(buf, true)
		for n == len(buf) {
			buf = make([]byte, 2*len(buf))
			n = runtime.Stack(buf, true)
		}
		for _, l := range strings.Split(string(buf[:n]), "\n") {
			// goroutine 42 [chan receive]:   or   [sleep, 2 minutes]:
			if !strings.HasPrefix(l, "goroutine ") || !strings.HasSuffix(l, "]:") {
				continue
			}
			f := strings.SplitN(l[len("goroutine "):len(l)-2], " [", 2)
			id, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil || len(f) != 2 || !want[id] {
				continue
			}
			reason := strings.SplitN(f[1], ",", 2)[0]
			for _, a := range allowed {
				if reason == a {
					seen[id] = reason
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
	truthMu.Lock()
	for id, r := range seen {
		truths[id].Wait = r
	}
	truthMu.Unlock()
}

//go:noinline
func blockRecv() {
	var g group
	ch := make(chan int)
	for i := 0; i < nBlocked; i++ {
		s := begin()
		go func() {
			g.arrive(hello())
			<-ch
		}()
		end(s)
	}
	g.parked(nBlocked, "chan receive")
	close(ch)
}

func sender(g *group, ch chan int) {
	g.arrive(hello())
	ch <- 1
}

//go:noinline
func blockSend() {
	var g group
	ch := make(chan int)
	for i := 0; i < nBlocked; i++ {
		s := begin()
		go sender(&g, ch)
		end(s)
	}
	g.parked(nBlocked, "chan send")
	for i := 0; i < nBlocked; i++ {
		<-ch
	}
}

//go:noinline
func blockSelect() {
	var g group
	a, b := make(chan int), make(chan int)
	for i := 0; i < nBlocked; i++ {
		s := begin()
		go func() {
			g.arrive(hello())
			select {
			case <-a:
			case <-b:
			}
		}()
		end(s)
	}
	g.parked(nBlocked, "select")
	close(a)
}

var (
	mu        sync.Mutex
	mutg      group
	wg        sync.WaitGroup
	wgg       group
	sleepDone int32
	sleg      group
)

func locker() {
	mutg.arrive(hello())
	mu.Lock()
	spin(100)
	mu.Unlock()
}

//go:noinline
func blockMutex() {
	mu.Lock()
	for i := 0; i < nBlocked; i++ {
		s := begin()
		go locker()
		end(s)
	}
	mutg.parked(nBlocked, "sync.Mutex.Lock", "semacquire")
	mu.Unlock()
}

func waiter() {
	wgg.arrive(hello())
	wg.Wait()
}

//go:noinline
func blockWaitGroup() {
	wg.Add(1)
	for i := 0; i < nBlocked; i++ {
		s := begin()
		go waiter()
		end(s)
	}
	wgg.parked(nBlocked, "sync.WaitGroup.Wait", "semacquire")
	wg.Done()
}

func sleeper() {
	sleg.arrive(hello())
	for atomic.LoadInt32(&sleepDone) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
}

//go:noinline
func blockSleep() {
	for i := 0; i < nBlocked; i++ {
		s := begin()
		go sleeper()
		end(s)
	}
	sleg.parked(nBlocked, "sleep")
	atomic.StoreInt32(&sleepDone, 1)
}

// --- goroutines that only run briefly -----------------------------------------

const nBrief = 50

//go:noinline
func spawnBrief() {
	for i := 0; i < nBrief; i++ {
		s := begin()
		go func() {
			hello()
			spin(50)
		}()
		end(s)
	}
}

const nTotal = nWorkers*(1+nSubworkers*(1+nLeaves)) + nClosures*(1+2+2) + 10 + 6*nBlocked + nBrief

func workload() {
	spawnWorkers()
	spawnClosures()
	spawnWithArgs()
	blockRecv()
	blockSend()
	blockSelect()
	blockMutex()
	blockWaitGroup()
	blockSleep()
	spawnBrief()
}

func writeTruth(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	if err := enc.Encode(meta{Pid: os.Getpid(), GoVersion: runtime.Version(), Goroutines: len(truths)}); err != nil {
		f.Close()
		return err
	}
	ids := make([]int64, 0, len(truths))
	for id := range truths {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if err := enc.Encode(truths[id]); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

func main() {
	truthPath := flag.String("truth", "", "write the ground truth to `FILE` (JSON lines)")
	now := flag.Bool("now", false, "start at once instead of waiting for SIGUSR1")
	code := flag.Int("exit", 0, "exit with `status` when done")
	flag.Parse()

	if !*now {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGUSR1)
		fmt.Println("ready")
		<-c
		signal.Stop(c)
	}
	// Counted after the signal handler's own goroutine exists, if any.
	baseline := runtime.NumGoroutine()

	workload()

	deadline := time.Now().Add(60 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			fatalf("%d goroutines still running, want %d", runtime.NumGoroutine(), baseline)
		}
		time.Sleep(2 * time.Millisecond)
	}
	// Let the last exits reach the tracer before the process goes away.
	time.Sleep(100 * time.Millisecond)

	// Every goroutine has exited: truths is no longer shared.
	if len(truths) != nTotal {
		fatalf("%d goroutines recorded, want %d", len(truths), nTotal)
	}
	if *truthPath != "" {
		if err := writeTruth(*truthPath); err != nil {
			fatalf("%v", err)
		}
	}
	fmt.Printf("lifecycle: done, %d goroutines\n", len(truths))
	os.Exit(*code)
}
