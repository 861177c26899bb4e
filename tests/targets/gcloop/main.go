// Command gcloop is the ground-truth target of the GC tests: it runs
// runtime.GC() exactly K times, each a full cycle with its two
// stop-the-world pauses (sweep termination, mark termination), then stops
// the world once outside any cycle (runtime.ReadMemStats).
//
//	gcloop [-truth FILE] [-exit N] [-k K]
//
// -truth FILE gets one JSON object: {"pid", "goversion", "k", "numgc"}, numgc
// being how many cycles the runtime itself counted meanwhile (MemStats.NumGC).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
)

type meta struct {
	Pid       int    `json:"pid"`
	GoVersion string `json:"goversion"`
	K         int    `json:"k"`
	NumGC     uint32 `json:"numgc"`
}

var sink [][]byte

func main() {
	truthPath := flag.String("truth", "", "write the ground truth to `FILE` (JSON)")
	code := flag.Int("exit", 0, "exit with `status` when done")
	k := flag.Int("k", 5, "run runtime.GC() `K` times")
	flag.Parse()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < *k; i++ {
		// Something to mark.
		sink = append(sink, make([]byte, 1<<16))
		runtime.GC()
	}
	runtime.ReadMemStats(&after)

	if *truthPath != "" {
		f, err := os.Create(*truthPath)
		if err == nil {
			err = json.NewEncoder(f).Encode(meta{Pid: os.Getpid(), GoVersion: runtime.Version(), K: *k,
				NumGC: after.NumGC - before.NumGC})
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "gcloop: %v\n", err)
			os.Exit(3)
		}
	}
	fmt.Printf("gcloop: done, %d cycles\n", *k)
	os.Exit(*code)
}
