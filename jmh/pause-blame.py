#!/usr/bin/env python3
"""Who had the CPUs during goheap's long pauses: lines up a kernel scheduler trace with the
pause record of the demo's RESULT line.

Record (root, or perf_event_paranoid <= 1; -k mono makes perf's clock System.nanoTime's):

    perf record -k mono -e sched:sched_switch,sched:sched_wakeup -a -o demo.data -- \\
        JAVA -Xmn256m -p CORE_JAR:GC_JAR:HDRHISTOGRAM_JAR \\
        -m dev.goheap.gc/dev.goheap.demo.BinaryTrees 21 2 --quiet --result > demo.txt

then:

    jmh/pause-blame.py demo.data demo.txt [--over MS] [--show N]

For every pause longer than --over (default 0.5 ms) it adds up, per CPU, how long each thread ran
inside the pause, and names the thread other than goheap's own (carriers "ForkJoinPool-*", the
collector "goheap-gc") and the idle task that ran longest in it: a JIT compiler thread, a kernel
thread, another process. It prints the N longest pauses in detail (default 10) and a summary.
Session 17 found 120 of 125 pauses over 0.5 ms with a JIT compiler thread inside
(docs/measurements.md "Session 17"). Needs only Python 3 and perf.
"""
import argparse
import bisect
import collections
import json
import re
import subprocess
import sys

OURS = ('ForkJoinPool', 'goheap-gc')
SWITCH = re.compile(r'\[(\d+)\]\s+([\d.]+):\s+sched:sched_switch: .*?==> next_comm=(.*?) next_pid=')


def pauses_of(demo_output):
    """The RESULT line's pauses: (start ns, length ns), and the run's start (ns)."""
    with open(demo_output, encoding='utf-8') as f:
        for line in f:
            if line.startswith('RESULT'):
                result = json.loads(line[len('RESULT'):].strip())
                return result['pauses'], result['runStartNanos']
    sys.exit(f'pause-blame: no RESULT line in {demo_output} (run the demo with --result)')


def run_intervals(perf_data):
    """(start s, end s, cpu, thread) for every stretch a thread ran, from the sched_switch events."""
    script = subprocess.run(['perf', 'script', '-i', perf_data, '-F', 'cpu,time,event,trace'],
                            capture_output=True, text=True, check=True).stdout
    current = {}
    intervals = []
    for line in script.splitlines():
        m = SWITCH.search(line)
        if not m:
            continue
        cpu, t, next_thread = int(m.group(1)), float(m.group(2)), m.group(3)
        if cpu in current:
            start, thread = current[cpu]
            intervals.append((start, t, cpu, thread))
        current[cpu] = (t, next_thread)
    intervals.sort()
    return intervals


def kind(thread):
    if thread.startswith(OURS):
        return 'goheap'
    if thread.startswith('swapper'):
        return 'idle'
    if 'CompilerThre' in thread:
        return 'JIT compiler'
    return thread


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('perf_data')
    parser.add_argument('demo_output')
    parser.add_argument('--over', type=float, default=0.5, help='pauses longer than this, ms (0.5)')
    parser.add_argument('--show', type=int, default=10, help='longest pauses printed in detail (10)')
    args = parser.parse_args()

    try:
        pauses, run_start = pauses_of(args.demo_output)
        intervals = run_intervals(args.perf_data)
    except FileNotFoundError as e:
        sys.exit(f'pause-blame: {e.strerror}: {e.filename} (and perf must be on the PATH)')
    except subprocess.CalledProcessError as e:
        sys.exit(f'pause-blame: perf script failed on {args.perf_data}: {e.stderr.strip()}')
    if not intervals:
        sys.exit(f'pause-blame: no sched_switch events in {args.perf_data}')
    starts = [i[0] for i in intervals]
    longest_interval = max(end - start for start, end, _, _ in intervals)

    long_pauses = sorted((p for p in pauses if p[1] > args.over * 1e6), key=lambda p: -p[1])
    blame = collections.Counter()
    print(f'{len(pauses)} pauses, {len(long_pauses)} over {args.over} ms')
    for n, (start_ns, length_ns) in enumerate(long_pauses):
        a, b = start_ns / 1e9, (start_ns + length_ns) / 1e9
        ran = collections.defaultdict(float)  # (cpu, kind) -> seconds inside the pause
        i = max(0, bisect.bisect_left(starts, a - longest_interval))
        while i < len(intervals) and intervals[i][0] < b:
            start, end, cpu, thread = intervals[i]
            overlap = min(end, b) - max(start, a)
            if overlap > 0:
                ran[(cpu, kind(thread))] += overlap
            i += 1
        others = {k: v for k, v in ran.items() if k[1] not in ('goheap', 'idle')}
        top = max(others.items(), key=lambda kv: kv[1]) if others else None
        blame[top[0][1] if top and top[1] >= 0.0002 else 'nothing else for 0.2 ms'] += 1
        if n < args.show:
            detail = ', '.join(f'cpu{cpu} {k} {v * 1e3:.2f}' for (cpu, k), v in sorted(ran.items()))
            print(f'  {length_ns / 1e6:.3f} ms at {(start_ns - run_start) / 1e9:.2f} s: {detail}')
    if long_pauses:
        print(f'who else ran longest (at least 0.2 ms) in the {len(long_pauses)} pauses over {args.over} ms:')
        for who, count in blame.most_common():
            print(f'  {who}: {count}')


if __name__ == '__main__':
    main()
