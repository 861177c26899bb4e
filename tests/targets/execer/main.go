// Command execer is the target of tests/e2e/attach-race.sh: a Go program
// busy creating, parking and waking goroutines (so runtime.casgstatus runs
// all the time) and allocating (so the collector runs too), that either replaces itself by another program or ends
// with a status it was told.
//
//	execer exec MS NEXT ARG...  churn for MS milliseconds, then exec NEXT ARG...
//	                            (MS "@FILE": until FILE exists)
//	execer run MS STATUS [STOP] churn for MS milliseconds, or until the file STOP
//	                            exists, then print "done" and exit STATUS
//
// Built twice by the test, once with -gcflags=all=-N -l, so that the two
// images' runtime functions lie at different offsets: a probe placed for
// one and planted in the other lands inside some other instruction.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// sink keeps the allocations of churn alive long enough to need collecting.
var sink []byte

func churn(d time.Duration, stop string) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if stop != "" {
			if _, err := os.Stat(stop); err == nil {
				return
			}
		}
		var wg sync.WaitGroup
		ch := make(chan int)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := make([]byte, 8<<10)
				b[0] = byte(i)
				ch <- i
				sink = b
			}()
		}
		for i := 0; i < 4; i++ {
			<-ch
		}
		wg.Wait()
		// Paced: many trials run side by side on a small machine.
		time.Sleep(time.Millisecond)
	}
}

func ms(s string) time.Duration {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "execer: bad milliseconds %q\n", s)
		os.Exit(2)
	}
	return time.Duration(n) * time.Millisecond
}

func main() {
	if len(os.Args) >= 4 && os.Args[1] == "exec" {
		if strings.HasPrefix(os.Args[2], "@") {
			churn(time.Hour, os.Args[2][1:])
		} else {
			churn(ms(os.Args[2]), "")
		}
		err := syscall.Exec(os.Args[3], os.Args[3:], os.Environ())
		fmt.Fprintf(os.Stderr, "execer: cannot exec %s: %v\n", os.Args[3], err)
		os.Exit(2)
	}
	if (len(os.Args) == 4 || len(os.Args) == 5) && os.Args[1] == "run" {
		st, err := strconv.Atoi(os.Args[3])
		if err != nil {
			os.Exit(2)
		}
		stop := ""
		if len(os.Args) == 5 {
			stop = os.Args[4]
		}
		churn(ms(os.Args[2]), stop)
		fmt.Println("done")
		os.Exit(st)
	}
	fmt.Fprintln(os.Stderr, "usage: execer exec MS NEXT ARG... | execer run MS STATUS [STOP]")
	os.Exit(2)
}
