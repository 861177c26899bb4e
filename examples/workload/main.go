// The demo workload: a small job server whose goroutines start, wait on
// channels, locks and timers, and exit, so there is something to watch.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"sync"
	"time"
)

type job struct {
	id   int
	cost time.Duration
}

func worker(id int, jobs <-chan job, results chan<- int, mu *sync.Mutex, total *int) {
	for j := range jobs {
		time.Sleep(j.cost)
		mu.Lock()
		*total += j.id
		mu.Unlock()
		results <- j.id
	}
}

func producer(jobs chan<- job, stop <-chan struct{}) {
	r := rand.New(rand.NewSource(1))
	for i := 0; ; i++ {
		select {
		case <-stop:
			close(jobs)
			return
		case jobs <- job{id: i, cost: time.Duration(r.Intn(5)) * time.Millisecond}:
		}
	}
}

func spinner(d time.Duration) {
	end := time.Now().Add(d)
	n := 0
	for time.Now().Before(end) {
		n++
	}
	_ = n
}

func main() {
	seconds := flag.Float64("seconds", 10, "how long to run")
	flag.Parse()

	jobs := make(chan job)
	results := make(chan int, 64)
	stop := make(chan struct{})
	var mu sync.Mutex
	var total int
	var wg sync.WaitGroup

	go producer(jobs, stop)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			worker(id, jobs, results, &mu, &total)
		}(i)
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Duration(*seconds * float64(time.Second)))
	done := 0
	for {
		select {
		case _, ok := <-results:
			if !ok {
				fmt.Printf("workload: %d jobs done\n", done)
				return
			}
			done++
		case <-tick.C:
			go spinner(20 * time.Millisecond)
		case <-deadline:
			close(stop)
			deadline = nil
		}
	}
}
