// A small program for tests/goelf: named functions and closures at known
// lines. goelf_check reads the markers below:
//
//	"want: F"       F's entry PC is on this line
//	"want-line: F"  some PC of F is on this line
//
// A function with a stack-check prologue starts on its "func" line; a
// frameless leaf (bump, add) has no prologue, so its entry is already the
// first statement. Keep the markers on their lines when editing.
package main

import (
	"fmt"
	"os"
)

type counter struct{ n int }

//go:noinline
func (c *counter) bump(by int) int {
	c.n += by // want: main.(*counter).bump
	return c.n
}

//go:noinline
func add(a, b int) int {
	return a + b // want: main.add
}

//go:noinline
func worker(ch chan<- int, k int) { // want: main.worker
	sum := 0
	for i := 0; i < k; i++ {
		sum = add(sum, i) // want-line: main.worker
	}
	ch <- sum
}

//go:noinline
func apply(f func(int) int, v int) int { // want: main.apply
	return f(v)
}

func main() { // want: main.main
	c := &counter{}
	ch := make(chan int)
	go worker(ch, len(os.Args)+3)
	sum := <-ch
	double := func(x int) int { // want: main.main.func1
		return 2*x + c.bump(1)
	}
	go func() { // want: main.main.func2
		ch <- apply(double, sum)
	}()
	fmt.Println("hello", <-ch) // want-line: main.main
}
