// The churn workload of the recording tests and benchmark: goroutines are
// created and exit all the time (short-lived request handlers fanning out
// to helpers), while a pool of long-lived ones waits on channels, locks and
// timers, so every kind of event is frequent.
package main

import (
	"flag"
	"fmt"
	"sync"
	"time"
)

func helper(in <-chan int, out chan<- int) {
	v := <-in
	out <- v * 2
}

func handle(id int, mu *sync.Mutex, total *int, wg *sync.WaitGroup) {
	defer wg.Done()
	in, out := make(chan int), make(chan int)
	for i := 0; i < 3; i++ {
		go helper(in, out)
	}
	sum := 0
	for i := 0; i < 3; i++ {
		in <- id + i
		sum += <-out
	}
	mu.Lock()
	*total += sum
	mu.Unlock()
	if id%16 == 0 {
		time.Sleep(100 * time.Microsecond)
	}
}

func pool(id int, work <-chan int, done chan<- int) {
	for v := range work {
		time.Sleep(time.Duration(v%3) * 50 * time.Microsecond)
		done <- v + id
	}
}

func main() {
	seconds := flag.Float64("seconds", 5, "how long to run")
	rate := flag.Int("rate", 2000, "requests per second")
	flag.Parse()

	var mu sync.Mutex
	var total int
	work, done := make(chan int), make(chan int, 16)
	for i := 0; i < 16; i++ {
		go pool(i, work, done)
	}
	go func() {
		for range done {
		}
	}()
	end := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	tick := time.NewTicker(time.Second / time.Duration(*rate/10))
	defer tick.Stop()
	n := 0
	for time.Now().Before(end) {
		<-tick.C
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go handle(n, &mu, &total, &wg)
			work <- n
			n++
		}
		wg.Wait()
	}
	close(work)
	fmt.Printf("churn: %d requests, total %d\n", n, total)
}
