"""The warm heap every sandbox child is forked from: what is preloaded, frozen and on huge pages.

The zygote and the benchmark's fork floor (fork_floor.py) both build their heap with this module,
so the floor forks exactly the heap the sandbox forks: same interpreter, same imports, same
warm-up, same huge-page layout.
"""

import ctypes
import gc

# What agents' code commonly imports; loaded once so a call pays nothing for them.
PRELOAD = ["numpy", "sympy", "math", "cmath", "json", "re", "collections", "itertools", "functools",
           "fractions", "decimal", "random", "statistics", "string", "datetime", "heapq", "bisect",
           "typing", "dataclasses", "io", "operator", "copy", "textwrap", "unicodedata", "hashlib"]

_MADV_HUGEPAGE, _MADV_COLLAPSE = 14, 25
_HUGE = 2 << 20


def preload():
    """Imports PRELOAD (what is installed of it) and warms lazily initialised parts; returns the names."""
    loaded = []
    for name in PRELOAD:
        try:
            __import__(name)
            loaded.append(name)
        except ImportError:
            pass
    # Touch the lazily initialised parts (BLAS, sympy's caches) so children inherit them warm.
    if "numpy" in loaded:
        import numpy
        numpy.dot(numpy.ones((4, 4)), numpy.ones(4))
    if "sympy" in loaded:
        import sympy
        sympy.simplify(sympy.Symbol("x") ** 2 - sympy.Symbol("x") ** 2)
    return loaded


def freeze():
    """Freezes the heap as it is now; returns the bytes then backed by huge pages.

    gc.freeze(): children share the warm heap copy-on-write, and a collection in a child would
    write to every object it traverses. Then the heap goes onto huge pages (collapse_to_huge_pages).
    """
    _warm_fork_handlers()
    gc.collect()
    gc.freeze()
    return collapse_to_huge_pages()


def _warm_fork_handlers():
    """Runs the stdlib's after-fork-in-child handlers here, in the parent, until they are warm.

    Every child runs them (random reseeds its generator, threading resets its bookkeeping), and
    Python 3.11's adaptive interpreter writes into a function's bytecode while it warms up and
    specialises it: run for the first time in each child, they copy-on-write pages in every
    child (measured: ~25 fewer faults per sandbox child warmed, ~70 in a bare numpy + sympy
    process). Warmed here they run from the shared, already specialised bytecode. Both are
    harmless in a process with one thread, and skipped otherwise.
    """
    import random
    import threading
    if threading.active_count() != 1 or not hasattr(threading, "_after_fork"):
        return
    for _ in range(64):  # past 3.11's warm-up (8 calls) and each instruction's specialisation
        threading._after_fork()
        random.seed()


def collapse_to_huge_pages():
    """Backs the warm heap with 2 MB pages (MADV_HUGEPAGE + MADV_COLLAPSE, Linux >= 6.1).

    fork() copies one page-table entry per 4 KB page of anonymous memory, and numpy + sympy leave
    ~50 MB of it: ~12,000 entries per fork, and as many to free when the child exits. Collapsed
    into huge pages the same heap is ~20 entries. The zygote keeps few of them whole: any write
    it makes while a child still shares a huge page splits that page's mapping in the zygote (only
    ~8 of ~40 MB stay PMD-mapped after the first few calls). It still pays: the split pages stay
    2 MB folios, which fork and exit handle in batches (Linux >= 6.9): measured 6.5 against
    8.5-10 CPU ms per sandbox call without collapsing. Returns the bytes in huge pages right after collapsing (0 when the
    kernel cannot collapse).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    madvise = libc.madvise
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    with open("/proc/self/maps") as maps:
        regions = maps.read().splitlines()
    for line in regions:
        fields = line.split()
        name = fields[5] if len(fields) > 5 else ""
        if name not in ("", "[heap]") or "w" not in fields[1]:
            continue  # only private anonymous memory (pymalloc arenas, the malloc heap)
        start, end = (int(x, 16) for x in fields[0].split("-"))
        start, end = (start + _HUGE - 1) // _HUGE * _HUGE, end // _HUGE * _HUGE
        if end > start:
            # Unpopulated ranges (OpenBLAS's reserved buffer) fail with EINVAL and stay untouched.
            madvise(start, end - start, _MADV_HUGEPAGE)
            madvise(start, end - start, _MADV_COLLAPSE)  # synchronously, now
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1]) * 1024
    return 0
