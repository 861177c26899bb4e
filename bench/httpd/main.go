// Command httpd is the HTTP-server workload of the overhead benchmarks: a
// net/http server on loopback whose handler does a little work in a goroutine
// of its own (so each request makes goroutines, as real handlers do).
//
//	httpd [-addr 127.0.0.1:8321] [-park N]
//
// -park N parks N more goroutines on a channel for the whole run: what a
// stack sweep reads (bench/stacks.sh -t).
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8321", "listen address")
	park := flag.Int("park", 0, "goroutines parked for the whole run")
	flag.Parse()
	block := make(chan struct{})
	for i := 0; i < *park; i++ {
		go func() { <-block }()
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		done := make(chan int)
		go func() {
			s := 0
			for i := 0; i < n; i++ {
				s += i * i
			}
			done <- s
		}()
		fmt.Fprintf(w, "%d\n", <-done)
	})
	fmt.Println("ready")
	log.Fatal(http.ListenAndServe(*addr, nil))
}
