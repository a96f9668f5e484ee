#!/usr/bin/env python3
"""Classes that grew between two class histograms (jcmd PID GC.class_histogram), per unit of load.

    bench/histo-diff.py IDLE.txt LOADED.txt [N] [TOP]

With N (e.g. devices connected), prints bytes and instances per one of them.
"""
import re
import sys


def read(path):
    out = {}
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            out[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return out


idle, loaded = read(sys.argv[1]), read(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1
top = int(sys.argv[4]) if len(sys.argv) > 4 else 30
rows = []
for name, (count, size) in loaded.items():
    c0, s0 = idle.get(name, (0, 0))
    rows.append((size - s0, count - c0, name))
rows.sort(reverse=True)
grown = sum(r[0] for r in rows)
print(f"grown: {grown / 1048576:.1f} MB, {grown / n:.0f} bytes per unit (N={n})")
print(f"{'bytes/unit':>11} {'inst/unit':>10} {'share':>6}  class")
for size, count, name in rows[:top]:
    print(f"{size / n:11.0f} {count / n:10.2f} {100 * size / grown:5.1f}%  {name}")
