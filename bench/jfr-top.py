#!/usr/bin/env python3
"""Top frames of a bench recording (bench/out/*.jfr, made with BENCH_JFR=1), from the JDK's `jfr print` text.

    bench/jfr-top.py FILE.jfr [--from HH:MM:SS[.mmm]] [--to HH:MM:SS[.mmm]] [--top N] [--only cpu,alloc,locks,gc,threads]

Prints, for the time window (UTC, as in bench/out/*.phases): CPU samples by thread pool, self frame, inclusive frame
and the innermost frame of our code (org.ocfcloudbridge); sampled allocation by class, by allocating frame and by our
frame; monitor-enter and park time by the frame that waited; GC pauses; thread counts. A frame is Class.method.
"""
import argparse
import collections
import re
import subprocess
import sys

OURS = "org.ocfcloudbridge."
# frames that only say "waiting" or "allocating"; the frame below them says for whom
PLUMBING = ("jdk.internal.misc.Unsafe.", "java.util.concurrent.locks.LockSupport.",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer", "java.util.concurrent.locks.ReentrantLock",
            "java.util.concurrent.locks.ReentrantReadWriteLock", "java.lang.Object.wait",
            "java.util.concurrent.SynchronousQueue", "java.util.concurrent.LinkedBlockingQueue.",
            "java.util.concurrent.ArrayBlockingQueue.", "java.util.concurrent.LinkedTransferQueue.",
            "java.util.concurrent.CompletableFuture$Signaller", "java.util.concurrent.CompletableFuture.waitingGet",
            "java.util.concurrent.CompletableFuture.timedGet", "java.util.concurrent.CompletableFuture.get",
            "java.util.concurrent.ForkJoinPool.managedBlock", "java.util.concurrent.ForkJoinPool.unmanagedBlock",
            "java.util.concurrent.ForkJoinPool.compensatedBlock",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject", "java.lang.Thread.sleep",
            "java.util.concurrent.FutureTask.awaitDone", "java.util.concurrent.FutureTask.get",
            "java.util.concurrent.CountDownLatch.", "java.util.concurrent.Semaphore.",
            "java.util.concurrent.DelayQueue.", "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue.",
            "java.util.concurrent.Exchanger.", "java.util.concurrent.Phaser.", "java.util.concurrent.locks.StampedLock.",
            "org.jboss.threads.EnhancedQueueExecutor$PoolThreadNode.park", "org.jboss.threads.EnhancedQueueExecutor.park")

UNITS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1000.0, "min": 60000.0, "h": 3600000.0}
BYTES = {"bytes": 1, "byte": 1, "kB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}


def ms(text):
    m = re.match(r"([\d.,]+)\s*(ns|us|ms|s|min|h)\b", text.strip())
    return float(m.group(1).replace(",", "")) * UNITS[m.group(2)] if m else 0.0


def nbytes(text):
    m = re.match(r"([\d.,]+)\s*(bytes|byte|kB|MB|GB)", text.strip())
    return float(m.group(1).replace(",", "")) * BYTES[m.group(2)] if m else 0.0


def frame_name(line):
    line = line.strip()
    cut = line.find("(")
    return line[:cut] if cut > 0 else line.split(" ")[0]


def events(path, names, depth=160):
    """Yields (type, fields, frames) from `jfr print`; frames innermost first."""
    proc = subprocess.Popen(["jfr", "print", "--stack-depth", str(depth), "--events", ",".join(names), path],
                            stdout=subprocess.PIPE, text=True, bufsize=1 << 20)
    kind, fields, frames, in_stack = None, {}, [], False
    for raw in proc.stdout:
        line = raw.rstrip("\n")
        if kind is None:
            m = re.match(r"^(\S+) \{$", line)
            if m:
                kind, fields, frames, in_stack = m.group(1), {}, [], False
            continue
        if line == "}":
            yield kind, fields, frames
            kind = None
            continue
        if in_stack:
            if line.strip() == "]":
                in_stack = False
            elif line.strip() != "...":
                frames.append(frame_name(line))
            continue
        m = re.match(r"^  (\w+) = (.*)$", line)
        if m:
            if m.group(1) == "stackTrace" and m.group(2).strip() == "[":
                in_stack = True
            else:
                fields[m.group(1)] = m.group(2)
    proc.wait()


def clock(text):
    """'14:03:14.257 (2026-12-03)' or '14:03:14.257' -> seconds of the day"""
    m = re.match(r"(\d+):(\d+):(\d+(?:\.\d+)?)", text.strip())
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else None


def in_window(fields, args):
    t = clock(fields.get("startTime", ""))
    if t is None:
        return True
    return (args.start is None or t >= args.start) and (args.end is None or t <= args.end)


def pool(thread):
    name = re.sub(r'^"|".*$', "", thread)
    name = re.sub(r"[-#\s]*\d+$", "", name)
    name = re.sub(r"\d+", "N", name)
    return name


def ours(frames):
    return next((f for f in frames if f.startswith(OURS)), None)


def waiter(frames):
    return next((f for f in frames if not f.startswith(PLUMBING)), frames[0] if frames else "?")


def library(frame):
    parts = frame.split(".")
    known = {"org": 3, "io": 3, "com": 3, "java": 2, "javax": 2, "jdk": 3, "sun": 3, "jakarta": 2, "net": 3}
    return ".".join(parts[:known.get(parts[0], 2)])


def show(title, counter, total, top, unit="", fmt=None):
    print(f"\n  {title}")
    for key, value in counter.most_common(top):
        pct = 100.0 * value / total if total else 0.0
        shown = fmt(value) if fmt else f"{value:.0f}{unit}"
        print(f"    {pct:5.1f}%  {shown:>10}  {key}")


def cpu(args):
    total, threads, self_, incl, our, libs, our_incl = 0, collections.Counter(), collections.Counter(), \
        collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter()
    for _, f, frames in events(args.file, ["jdk.ExecutionSample"]):
        if not in_window(f, args) or not frames:
            continue
        total += 1
        threads[pool(f.get("sampledThread", "?"))] += 1
        self_[frames[0]] += 1
        libs[library(frames[0])] += 1
        for name in set(frames):
            incl[name] += 1
            if name.startswith(OURS):
                our_incl[name] += 1
        our[ours(frames) or "(no frame of ours)"] += 1
    print(f"CPU: {total} execution samples (Java threads only; GC and compiler threads are not sampled)")
    show("by thread pool", threads, total, args.top)
    show("self, by frame", self_, total, args.top)
    show("self, by library (package of the top frame)", libs, total, args.top)
    show("inclusive, by frame", incl, total, args.top + 10)
    show("by innermost frame of our code (inclusive)", our, total, args.top)
    show("inclusive, frames of our code only", our_incl, total, args.top + 10)


def alloc(args):
    total, by_class, by_frame, by_our = 0.0, collections.Counter(), collections.Counter(), collections.Counter()
    count = 0
    for _, f, frames in events(args.file, ["jdk.ObjectAllocationSample"]):
        if not in_window(f, args):
            continue
        w = nbytes(f.get("weight", "0 bytes"))
        count += 1
        total += w
        by_class[re.sub(r" \(classLoader.*$", "", f.get("objectClass", "?"))] += w
        top = next((x for x in frames if not x.startswith(("java.util.Arrays.", "java.lang.String", "java.lang.AbstractStringBuilder", "java.lang.StringBuilder", "java.lang.StringLatin1", "java.lang.StringUTF16"))), frames[0] if frames else "?")
        by_frame[top] += w
        by_our[ours(frames) or "(no frame of ours)"] += w
    mb = lambda v: f"{v / 1048576:.1f} MB"
    print(f"\nAllocation: {count} samples, {total / 1048576:.0f} MB estimated (sample weights)")
    show("by class", by_class, total, args.top, fmt=mb)
    show("by allocating frame (below String/Arrays helpers)", by_frame, total, args.top, fmt=mb)
    show("by innermost frame of our code", by_our, total, args.top, fmt=mb)


def locks(args):
    for kind, label, key in (("jdk.JavaMonitorEnter", "Monitor enter (blocked on synchronized, >= threshold)", "monitorClass"),
                             ("jdk.ThreadPark", "Park (LockSupport.park, >= threshold; idle pool waits included)", "parkedClass"),
                             ("jdk.JavaMonitorWait", "Object.wait (>= threshold)", "monitorClass")):
        n, total, by_frame, by_class, by_our = 0, 0.0, collections.Counter(), collections.Counter(), collections.Counter()
        for _, f, frames in events(args.file, [kind]):
            if not in_window(f, args):
                continue
            d = ms(f.get("duration", "0 ms"))
            n += 1
            total += d
            by_frame[waiter(frames)] += d
            by_class[re.sub(r" \(classLoader.*$", "", f.get(key, "?"))] += d
            by_our[ours(frames) or "(no frame of ours)"] += d
        print(f"\n{label}: {n} events, {total / 1000:.1f} s in all")
        if n:
            sec = lambda v: f"{v / 1000:.2f} s"
            show("by waiting frame", by_frame, total, args.top, fmt=sec)
            show(f"by {key}", by_class, total, min(args.top, 8), fmt=sec)
            show("by innermost frame of our code", by_our, total, min(args.top, 8), fmt=sec)


def gc(args):
    pauses = collections.defaultdict(list)
    for _, f, _frames in events(args.file, ["jdk.GarbageCollection"]):
        if in_window(f, args):
            pauses[f.get("name", "?").strip('"')].append((ms(f.get("sumOfPauses", "0 ms")), ms(f.get("longestPause", "0 ms"))))
    print("\nGC:")
    for name, p in pauses.items():
        print(f"    {name}: {len(p)} collections, pauses {sum(x for x, _ in p):.0f} ms in all, longest {max(y for _, y in p):.1f} ms")
    used = []
    for _, f, _frames in events(args.file, ["jdk.GCHeapSummary"]):
        if in_window(f, args) and f.get("when", "").strip('"') == "After GC":
            used.append(nbytes(f.get("heapUsed", "0 bytes")))
    if used:
        print(f"    heap used after GC: min {min(used) / 1048576:.0f} MB, max {max(used) / 1048576:.0f} MB")
    cpu_load = []
    for _, f, _frames in events(args.file, ["jdk.CPULoad"]):
        if in_window(f, args):
            pct = lambda k: float(f.get(k, "0%").rstrip("%"))
            cpu_load.append((pct("jvmUser") + pct("jvmSystem"), pct("machineTotal")))
    if cpu_load:
        print(f"    CPU (of the 2 cores): daemon {sum(a for a, _ in cpu_load) / len(cpu_load):.0f}% mean, machine "
              f"{sum(b for _, b in cpu_load) / len(cpu_load):.0f}% mean over {len(cpu_load)} readings")


def threads(args):
    active, peak = [], 0
    for _, f, _frames in events(args.file, ["jdk.JavaThreadStatistics"]):
        if in_window(f, args):
            active.append(int(f.get("activeCount", "0")))
            peak = max(peak, int(f.get("peakCount", "0")))
    if active:
        print(f"\nThreads: active {min(active)}..{max(active)}, peak {peak}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--from", dest="start")
    p.add_argument("--to", dest="end")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--only", default="cpu,alloc,locks,gc,threads")
    args = p.parse_args()
    args.start = clock(args.start) if args.start else None
    args.end = clock(args.end) if args.end else None
    for part in args.only.split(","):
        {"cpu": cpu, "alloc": alloc, "locks": locks, "gc": gc, "threads": threads}[part](args)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
