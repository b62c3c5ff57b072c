"""Benchmark: end-to-end throughput of the default pipeline (rules, no transformer) on synthetic minutes at
several corpus sizes, with 1 and N workers: documents/s, words/s (per core), peak memory, speed-up.
Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.throughput --sizes 100 1000 10000 [--workers N] [--models]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic_minutes import generate


def peak_rss_mb() -> float:
    """Largest resident set of this process and of any finished child (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def measure(corpus: Path, workers: int, models: bool) -> dict:
    """One run in a fresh process, so peak memory belongs to this run alone."""
    code = (
        "import json, resource, sys, tempfile\n"
        "from pathlib import Path\n"
        "from pipeline.run.batch import run_batch\n"
        f"s = run_batch([Path({str(corpus)!r})], Path(tempfile.mkdtemp()), {workers}, use_models={models})\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'docs': s.written, 'failed': s.failed, 'words': s.words, 'items': s.items,\n"
        "                  'seconds': s.seconds, 'peak_mb': max(own, kids) / 1024}))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    import json

    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--models", action="store_true", help="use the trained models of configs/models.yaml")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "referat-bench")
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; pipeline {'with models' if args.models else 'rules, no models'}")
    print(f"{'docs':>6} {'workers':>7} {'docs/s':>8} {'words/s':>10} {'words/s/core':>12} {'peak MB':>8} {'speed-up':>8}")
    for size in args.sizes:
        corpus = args.data / str(size)
        if not corpus.exists() or len(list(corpus.iterdir())) != size:
            started = time.perf_counter()
            generate(corpus, size, seed=size)
            print(f"(generated {size} documents in {time.perf_counter() - started:.0f}s)")
        single = None
        for workers in sorted({1, args.workers}):
            result = measure(corpus, workers, args.models)
            single = single or result["seconds"]
            words_per_second = result["words"] / result["seconds"]
            print(f"{result['docs']:>6} {workers:>7} {result['docs'] / result['seconds']:>8.1f} {words_per_second:>10,.0f} "
                  f"{words_per_second / workers:>12,.0f} {result['peak_mb']:>8.0f} {single / result['seconds']:>7.2f}x"
                  + (f"  ({result['failed']} failed)" if result["failed"] else ""))


if __name__ == "__main__":
    main()
