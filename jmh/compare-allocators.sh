#!/usr/bin/env bash
# Runs goheap against glibc malloc, jemalloc, Arena.ofConfined(), Netty's pooled direct buffers
# (two labelled configurations) and new byte[n] in one JMH run, then prints the ratio table.
#
# usage: jmh/compare-allocators.sh [extra JMH arguments...]
#        jmh/compare-allocators.sh --table-only [result.json]
#
# environment (all optional):
#   JMH_OPTS     run lengths      (default: -f 1 -wi 3 -w 1s -i 5 -r 1s: about 15 min on 2 cores)
#   JMH_INCLUDE  benchmark regex  (default: Heap(AllocFree|CrossThread), i.e. all three classes)
#   JMH_RESULT   JSON result file (default: jmh/target/compare-allocators.json)
#
# examples:
#   jmh/compare-allocators.sh -p size=00064                      # only 64-byte blocks
#   JMH_OPTS="-f 1 -wi 1 -i 1 -w 200ms -r 200ms" jmh/compare-allocators.sh   # smoke run
#   jmh/compare-allocators.sh -jvmArgs "-XX:+UseParallelGC"       # not -jvmArgsAppend: see ForkArgs
#
# The two-thread target is checked on the mean and on the slowest fork: with -f 1 a fork whose
# heap layout is slow (false sharing, README "session 17") can hide, so check it with -f 5 or more:
#   JMH_OPTS="-f 5 -wi 2 -w 1s -i 2 -r 1s" JMH_INCLUDE='HeapAllocFree(TwoThreads)?Benchmark.allocFree_goheap$' \
#       jmh/compare-allocators.sh -p size=00016,00064,00256,04096          # about 4 min
#
# -prof gc is always on (the table shows goheap's gc.alloc.rate.norm). Do not pass -t: the thread
# counts come from the classes (HeapAllocFreeBenchmark 1, HeapAllocFreeTwoThreadsBenchmark 2).
# The JVM is the JDK 22+ that Maven's toolchains plugin selects, whatever `java` on PATH is.
set -euo pipefail

jmh_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root_dir=$(dirname "$jmh_dir")
result=${JMH_RESULT:-$jmh_dir/target/compare-allocators.json}
opts=${JMH_OPTS:--f 1 -wi 3 -w 1s -i 5 -r 1s}
include=${JMH_INCLUDE:-Heap(AllocFree|CrossThread)}

mvn_table() { # prints the table of $1 through the same toolchain-selected java
    (cd "$root_dir" && ./mvnw -q -Pjmh -pl jmh -am verify -DskipTests \
        -Djmh.run.skip=true -Djmh.table.skip=false "-Djmh.table.file=$1")
}

if [[ ${1:-} == --table-only ]]; then
    mvn_table "$(realpath "${2:-$result}")"
    exit
fi
for arg in "$@"; do
    if [[ $arg == -t || $arg == -tg ]]; then
        echo "compare-allocators: do not pass $arg: thread counts come from the benchmark classes" >&2
        exit 2
    fi
done

have_jemalloc() {
    ldconfig -p 2>/dev/null | grep -q 'libjemalloc\.so\.2 ' \
        || [[ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 || -e /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 ]]
}

exclude=()
if ! have_jemalloc; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "compare-allocators: installing Debian's libjemalloc2 ..."
        apt-get install -y -qq libjemalloc2 >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libjemalloc2 >/dev/null 2>&1; } \
            || true
    fi
    if ! have_jemalloc; then
        echo "compare-allocators: libjemalloc.so.2 not found (install Debian's libjemalloc2 as root);" \
             "the jemalloc benchmarks are left out of this run"
        exclude=(-e _jemalloc)
    fi
fi

mkdir -p "$(dirname "$result")"
result=$(realpath "$result")
# One string for exec-maven-plugin's commandlineArgs, which splits it at spaces and honours quotes.
jmh_args="$include $opts -prof gc ${exclude[*]} -rf json -rff $result"
for arg in "$@"; do
    if [[ $arg == *[[:space:]]* ]]; then
        jmh_args+=" \"$arg\""
    else
        jmh_args+=" $arg"
    fi
done

echo "compare-allocators: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
cmd=(./mvnw -q -Pjmh -pl jmh -am verify -DskipTests "-Djmh.args=$jmh_args"
     -Djmh.table.skip=false "-Djmh.table.file=$result")
echo "compare-allocators: (cd $root_dir && $(printf '%q ' "${cmd[@]}"))"
rm -f "$result"
if ! (cd "$root_dir" && "${cmd[@]}"); then
    echo "compare-allocators: the run failed" >&2
    if [[ -s $result ]]; then
        mvn_table "$result"
    fi
    exit 1
fi
echo "compare-allocators: JSON results in $result (reprint: jmh/compare-allocators.sh --table-only)"
