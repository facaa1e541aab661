#!/usr/bin/env bash
# Runs the Benchmarks Game's binary-trees under G1, G1 with a 10 ms pause goal, ZGC, Parallel,
# goheap (dev.goheap.demo.BinaryTrees) and goheap with real-time stops (goheap-rt: needs root,
# CAP_SYS_NICE or `ulimit -r 2`), one forked JVM each with a JFR recording, and in Go (the demo
# written in Go, its pauses from GODEBUG=gctrace=1), and prints one table: wall time, pauses
# (count, max, p99, total), MMU at 10 and 50 ms, the most stopped time in any 50 ms window, and
# the Java heap's collection count.
#
# usage: jmh/compare-collectors.sh [depth [threads]] [options of dev.goheap.jmh.trees.CollectorComparison]
#
#   depth 21, 1 thread, -Xmx2g by default: about a minute on 2 cores for the JVM collectors.
#   options: --only G1,ZGC,goheap,goheap-rt,Go  --heap 2g  --jvm-arg -XX:+AlwaysPreTouch  --timeout 900  --go PATH
#            --goheap-main MODULE/CLASS  --goheap-path PATH  --goheap-jvm-args "..."  --goheap-args "..."
#            --gaps SECONDS (the machine's CPU gaps, measured before the runs; default 10, 0: none)
#
# examples:
#   jmh/compare-collectors.sh                        # the comparison of jmh/README.md
#   jmh/compare-collectors.sh 21 2                   # two threads
#   jmh/compare-collectors.sh 16 --only G1,ZGC       # a quick look
#
# The Go row needs a go command: the script installs Debian's golang-go (Go 1.19, the issue's) with
# apt-get when there is none and it runs as root; otherwise the row says what is missing.
#
# Output: the table, jmh/target/compare-collectors.json, and per run a recording, its stdout and its
# stderr in jmh/target/compare-collectors/. Every JVM is the JDK 22+ that Maven's toolchains plugin
# selects, whatever `java` on PATH is.
set -euo pipefail

jmh_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root_dir=$(dirname "$jmh_dir")

# One string for exec-maven-plugin's commandlineArgs, which splits it at spaces and honours quotes.
trees_args=""
for arg in "$@"; do
    if [[ $arg == *[[:space:]]* ]]; then
        trees_args+=" \"$arg\""
    else
        trees_args+=" $arg"
    fi
done

go_wanted=true
previous=""
for arg in "$@"; do
    if [[ $previous == --only && ,$arg, != *,Go,* ]]; then
        go_wanted=false
    fi
    previous=$arg
done
# Where GoRun looks: PATH, then Go's usual install places.
if $go_wanted && ! command -v go >/dev/null && [[ ! -x /usr/lib/go/bin/go && ! -x /usr/local/go/bin/go ]]; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "compare-collectors: installing Debian's golang-go for the Go row ..."
        apt-get install -y -qq golang-go >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq golang-go >/dev/null 2>&1; } \
            || true
    fi
fi

cmd=(./mvnw -q -Ptrees -pl jmh -am verify -DskipTests "-Dtrees.args=${trees_args# }")
echo "compare-collectors: (cd $root_dir && $(printf '%q ' "${cmd[@]}"))"
cd "$root_dir"
"${cmd[@]}"
