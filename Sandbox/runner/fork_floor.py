"""Benchmark floor for `turnrl bench sandbox`: a bare fork + pipe round trip from a warm Python.

The same interpreter and the same warm heap as the zygote (turnrl_warm: the same preloads and
warm-up, frozen, collapsed onto huge pages), but no isolation and no IPC with Swift: per call, fork a child that runs the compiled snippet with stdout on a pipe,
read the output, reap the child. Prints {"latenciesMs": [...], "wallSeconds": s, "cpuSeconds": s}.
Usage: python -I -S fork_floor.py CALLS WARMUP
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
import turnrl_paths  # noqa: E402

turnrl_paths.add_site_packages()

import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402

import turnrl_warm  # noqa: E402

CODE = compile("print(1+1)", "<code>", "exec")


def one_call():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        sys.stdout = open(1, "w", closefd=False, buffering=1)
        exec(CODE, {"__name__": "__main__"})
        sys.stdout.flush()
        os._exit(0)
    os.close(w)
    out = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        out += chunk
    os.close(r)
    os.waitpid(pid, 0)
    assert out == b"2\n", out


def main():
    calls, warmup = int(sys.argv[1]), int(sys.argv[2])
    turnrl_warm.preload()
    turnrl_warm.freeze()
    for _ in range(warmup):
        one_call()
    latencies = []
    cpu0 = _cpu_seconds()
    start = time.perf_counter()
    for _ in range(calls):
        t = time.perf_counter()
        one_call()
        latencies.append((time.perf_counter() - t) * 1000.0)
    wall = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu0
    print(json.dumps({"latenciesMs": latencies, "wallSeconds": wall, "cpuSeconds": cpu}))


def _cpu_seconds():
    """User + system CPU of this process and its reaped children (the forked calls)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    main()
