// Command httpload drives bench/httpd: C concurrent clients send GET requests
// for D seconds and it prints the rate:
//
//	httpload [-url http://127.0.0.1:8321/?n=100] [-c 8] [-d 3s] [-keepalive]
//	httpload: 123456 requests in 3.000 s, 41152/s, 0 errors
//
// Without -keepalive every request opens a connection, so the server starts a
// goroutine per request for the connection too.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8321/?n=100", "what to get")
	c := flag.Int("c", 8, "concurrent clients")
	d := flag.Duration("d", 3*time.Second, "how long")
	keep := flag.Bool("keepalive", false, "reuse connections")
	flag.Parse()

	tr := &http.Transport{DisableKeepAlives: !*keep, MaxIdleConnsPerHost: *c}
	cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var ok, bad int64
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(*d)
	for i := 0; i < *c; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				resp, err := cl.Get(*url)
				if err != nil {
					atomic.AddInt64(&bad, 1)
					time.Sleep(time.Millisecond)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				atomic.AddInt64(&ok, 1)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	fmt.Printf("httpload: %d requests in %.3f s, %.0f/s, %d errors\n", ok, el, float64(ok)/el, bad)
}
