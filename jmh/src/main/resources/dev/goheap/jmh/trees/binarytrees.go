// binary-trees on Go's own heap and collector: the program of goheap's demo
// (dev.goheap.demo.BinaryTrees) written in Go, so that jmh/compare-collectors.sh can measure Go
// beside goheap in the same run (dev.goheap.jmh.trees.GoRun builds and runs this file).
//
// The same work as the demo: 16-byte nodes of two pointers, each tree built from its root down
// (a node, then its two children, then their subtrees, as the demo's fill) and then walked to
// count its nodes; a stretch tree, a long-lived tree, and for every depth from 4 to maxDepth in
// steps of 2 its trees split over the worker goroutines (worker w takes trees w, w + workers,
// ...; each worker goes through all depths without waiting for the others). The output lines are
// the Benchmarks Game's, then one line "RESULT {json}" with the wall time.
//
// usage: binarytrees [maxDepth [workers]]   (default 21 and 1; GODEBUG=gctrace=1 for the pauses)
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type node struct {
	left, right *node
}

const minDepth = 4

// fill gives n two subtrees of depth-1, parents before children.
func fill(n *node, depth int) {
	if depth <= 0 {
		return
	}
	n.left = &node{}
	n.right = &node{}
	fill(n.left, depth-1)
	fill(n.right, depth-1)
}

func (n *node) count() int64 {
	if n.left == nil {
		return 1
	}
	return 1 + n.left.count() + n.right.count()
}

func buildAndCount(depth int) int64 {
	root := &node{}
	fill(root, depth)
	return root.count()
}

func argument(i int, otherwise int) int {
	if len(os.Args) <= i {
		return otherwise
	}
	v, err := strconv.Atoi(os.Args[i])
	if err != nil || v < 0 {
		fmt.Fprintf(os.Stderr, "binarytrees: argument %d: %q (expected: a number >= 0)\n", i, os.Args[i])
		os.Exit(2)
	}
	return v
}

func main() {
	start := time.Now()
	maxDepth := argument(1, 21)
	if maxDepth < minDepth+2 {
		maxDepth = minDepth + 2
	}
	workers := argument(2, 1)
	if workers < 1 {
		workers = 1
	}

	stretch := maxDepth + 1
	fmt.Printf("stretch tree of depth %d\t check: %d\n", stretch, buildAndCount(stretch))
	longLived := &node{}
	fill(longLived, maxDepth)

	checks := make([]int64, maxDepth+1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			for d := minDepth; d <= maxDepth; d += 2 {
				iterations := 1 << uint(maxDepth-d+minDepth)
				var sum int64
				for i := worker; i < iterations; i += workers {
					sum += buildAndCount(d)
				}
				atomic.AddInt64(&checks[d], sum)
			}
		}(w)
	}
	wg.Wait()
	for d := minDepth; d <= maxDepth; d += 2 {
		fmt.Printf("%d\t trees of depth %d\t check: %d\n", 1<<uint(maxDepth-d+minDepth), d, checks[d])
	}
	fmt.Printf("long lived tree of depth %d\t check: %d\n", maxDepth, longLived.count())
	wall := time.Since(start)
	fmt.Printf("RESULT {\"wallMillis\": %.3f, \"workers\": %d}\n", float64(wall.Nanoseconds())/1e6, workers)
}
