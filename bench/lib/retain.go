// The same program as bench/lib/retain.mjs, in Go (see there): microseconds per stage, one JSON
// line. Built and run by bench/floor.mjs with the oracle's Go toolchain.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"
)

type position struct{ line, column int }
type sourceRange struct{ start, end *position }
type record struct {
	id, j int
	name  string
	next  *record
	list  []int
	rng   *sourceRange
}
type temp struct {
	a, b int
	c    []int
}

var sink int
var lastTemp *temp

func stage(i int, keep *[]*record) int {
	garbage := 0
	for j := 0; j < 140; j++ {
		var next *record
		if len(*keep) > 0 {
			next = (*keep)[len(*keep)-1]
		}
		*keep = append(*keep, &record{id: i, j: j, name: "s" + strconv.Itoa(i) + "/" + strconv.Itoa(j), next: next, list: []int{i, j},
			rng: &sourceRange{&position{i, j}, &position{i, j + 1}}})
		for k := 0; k < 6; k++ {
			t := &temp{a: j, b: k, c: []int{j, k, i}}
			garbage += len(t.c)
			lastTemp = t // escapes: allocated on the heap, as in JavaScript
		}
	}
	return garbage
}

func run(n int) int {
	keep := []*record{}
	g := 0
	for i := 0; i < n; i++ {
		g += stage(i, &keep)
	}
	return len(keep) + g
}

func main() {
	sizes := []int{}
	for _, a := range os.Args[1:] {
		n, err := strconv.Atoi(a)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		sizes = append(sizes, n)
	}
	if len(sizes) == 0 {
		sizes = []int{10, 100, 1000, 10000}
	}
	for w := 0; w < 3; w++ {
		for _, n := range sizes {
			sink += run(n)
		}
	}
	out := map[string]float64{}
	for _, n := range sizes {
		reps := 30000 / n
		if reps < 1 {
			reps = 1
		}
		best := 0.0
		for r := 0; r < 5; r++ {
			t := time.Now()
			for k := 0; k < reps; k++ {
				sink += run(n)
			}
			d := float64(time.Since(t).Nanoseconds()) / 1000 / float64(reps)
			if r == 0 || d < best {
				best = d
			}
		}
		out[strconv.Itoa(n)] = best / float64(n)
	}
	if sink < 0 {
		fmt.Fprintln(os.Stderr, sink)
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
