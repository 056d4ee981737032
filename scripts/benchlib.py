"""What the benchmark scripts share: timing a command, running variants in rotating
rounds (machine noise hits every variant alike), the machine line, the table."""

import os
import statistics
import subprocess
import sys
import time


def run_once(argv, script):
    """Seconds one run of argv takes (output discarded); exits if it fails."""
    start = time.perf_counter()
    res = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if res.returncode != 0:
        sys.exit(f"{script}: {' '.join(argv)} exited with {res.returncode}")
    return elapsed


def run_rounds(variants, groups, rounds, script):
    """Times every variant (key (group, name) -> argv) once per round. Each round starts
    a group's variants at a different one, so that no variant always runs right after the
    same other one (measured on a 200-process loop: a run right after strace's took 7%
    longer than the same run repeated). Returns key -> list of seconds."""
    times = {key: [] for key in variants}
    for r in range(rounds):
        for group in groups:
            keys = [key for key in variants if key[0] == group]
            for key in keys[r % len(keys):] + keys[:r % len(keys)]:
                times[key].append(run_once(variants[key], script))
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    return times


def median(values):
    """The median."""
    return statistics.median(values)


def spread(numerators, denominators):
    """min-max of the per-round ratio (the variants ran back to back): how much a median
    ratio can be trusted."""
    ratios = sorted(n / d for n, d in zip(numerators, denominators))
    return f"{ratios[0]:.2f}-{ratios[-1]:.2f}"


def machine_line(rounds, load_before, strace):
    """Which machine and load the figures come from, and which strace."""
    load_after = os.getloadavg()
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                  if l.startswith("model name")), "unknown CPU")
    strace_v = subprocess.run([strace, "-V"], capture_output=True, text=True).stdout.splitlines()[0]
    return (f"medians of {rounds} rounds; {os.cpu_count()} CPUs ({model}); kernel {os.uname().release}; "
            f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; {strace_v}")


def print_table(header, rows, markdown):
    """The rows under the header, as Markdown or aligned text."""
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        for row in (header, *rows):
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
