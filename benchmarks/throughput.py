"""Benchmark: end-to-end throughput of the pipeline, with 1 and N workers: documents/s, words/s (per core), peak
memory, speed-up. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.throughput --sizes 100 1000 10000 [--workers N] [--models]
    .venv/bin/python -m benchmarks.throughput --real ../shared/corpus ../shared/real --copies 20 [--models] [--repeats 3]
        [--engines local ray]

Synthetic mode generates minutes of our own at several corpus sizes. `--real DIR...` repeats real minutes
`--copies` times and compares, in the same run, words/s per core with a one-core pass of a blank Danish spaCy
tokenizer over the same texts (median of `--repeats` runs each), reports a worker's start-up time, and prints
where the time goes per stage (one worker, --profile)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
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


def measure(corpus: Path, workers: int, models: bool, engine: str = "local") -> dict:
    """One run in a fresh process, so peak memory belongs to this run alone (with Ray, its worker processes
    are the actors' and not counted)."""
    code = (
        "import json, resource, sys, tempfile\n"
        "from pathlib import Path\n"
        "from pipeline.run.batch import run_batch\n"
        f"s = run_batch([Path({str(corpus)!r})], Path(tempfile.mkdtemp()), {workers}, use_models={models}, "
        f"engine={engine!r})\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'docs': s.written, 'failed': s.failed, 'words': s.words, 'items': s.items,\n"
        "                  'seconds': s.seconds, 'peak_mb': max(own, kids) / 1024}))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def real_corpus(sources: list[Path], copies: int, target: Path) -> Path:
    """`copies` copies of every minutes file under `sources` (gold JSON and notes left out), in one tree."""
    from pipeline.ingest import discover

    found = discover(sources).files
    if target.exists():
        shutil.rmtree(target)
    for copy in range(copies):
        for index, entry in enumerate(found):
            destination = target / f"copy{copy:03d}" / f"{index:03d}-{entry.path.name}"
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry.path, destination)
    return target


def tokenizer_pass(corpus: Path) -> dict:
    """One core, blank Danish spaCy tokenizer over the normalised text of every file (read before timing)."""
    code = (
        "import json, time\n"
        "from pathlib import Path\n"
        "import spacy\n"
        "from pipeline.config import load_pipeline_config\n"
        "from pipeline.ingest import discover, read_source\n"
        "config = load_pipeline_config().ingest\n"
        f"texts = [read_source(f.path, config).text for f in discover([Path({str(corpus)!r})]).files]\n"
        "nlp = spacy.blank('da')\n"
        "started = time.perf_counter()\n"
        "tokens = sum(len(nlp.tokenizer(text)) for text in texts)\n"
        "seconds = time.perf_counter() - started\n"
        "print(json.dumps({'words': sum(len(t.split()) for t in texts), 'tokens': tokens, 'seconds': seconds}))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def worker_startup(models: bool) -> float:
    """Seconds from a fresh interpreter to a worker ready to process (imports, config, models)."""
    code = ("import time; started = time.perf_counter()\n"
            "from pipeline.run.worker import init_worker\n"
            f"init_worker({models})\n"
            "print(time.perf_counter() - started)\n")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(output.strip().splitlines()[-1])


def profile_run(corpus: Path, models: bool) -> str:
    """`referat run --workers 1 --profile` over the corpus: seconds, share and words/s per stage."""
    with tempfile.TemporaryDirectory() as out:
        command = [str(Path(sys.executable).parent / "referat"), "run", str(corpus), "--out", out, "-q", "-w", "1",
                   "--profile"] + ([] if models else ["--no-models"])
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return output[output.index("stage "):].rstrip()


def run_real(args) -> None:
    corpus = real_corpus(args.real, args.copies, args.data / "real")
    print(f"real minutes: {', '.join(str(d) for d in args.real)} × {args.copies} copies → {corpus}")
    spacy_rates = sorted(r["words"] / r["seconds"] for r in (tokenizer_pass(corpus) for _ in range(args.repeats)))
    spacy_rate = statistics.median(spacy_rates)
    startups = [worker_startup(args.models) for _ in range(args.repeats)]
    print(f"spaCy blank 'da' tokenizer, one core: {spacy_rate:,.0f} words/s (median of {args.repeats}: "
          f"{', '.join(f'{r:,.0f}' for r in spacy_rates)})")
    print(f"worker start-up (imports, config, models): median {statistics.median(startups):.2f}s "
          f"({', '.join(f'{s:.2f}' for s in startups)})")
    print(f"{'engine':>6} {'workers':>7} {'docs':>6} {'words/s':>10} {'words/s/core':>12} {'× tokenizer/core':>16} "
          f"{'peak MB':>8}   runs")
    for engine in args.engines:
        for workers in sorted({1, args.workers}) if engine == "local" else [args.workers]:
            results = [measure(corpus, workers, args.models, engine) for _ in range(args.repeats)]
            rates = sorted(r["words"] / r["seconds"] for r in results)
            rate = statistics.median(rates)
            print(f"{engine:>6} {workers:>7} {results[0]['docs']:>6} {rate:>10,.0f} {rate / workers:>12,.0f} "
                  f"{rate / workers / spacy_rate:>15.2f}x {max(r['peak_mb'] for r in results):>8.0f}   "
                  + ", ".join(f"{r:,.0f}" for r in rates)
                  + (f"  ({results[0]['failed']} failed)" if results[0]["failed"] else ""))
    profile = profile_run(corpus, args.models)
    print("where the time goes (1 worker, --profile):")
    print(profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--real", type=Path, nargs="+", help="folders of real minutes (instead of synthetic ones)")
    parser.add_argument("--copies", type=int, default=20, help="--real: copies of each file")
    parser.add_argument("--repeats", type=int, default=3, help="--real: runs per figure (the median is shown)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--models", action="store_true", help="use the trained models of configs/models.yaml")
    parser.add_argument("--engines", nargs="+", default=["local"], choices=["local", "ray"],
                        help="--real: the engines to measure (ray: a private local Ray, actors as workers)")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "referat-bench")
    args = parser.parse_args()
    if args.real:
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"pipeline {'with the shipped models' if args.models else 'rules, no models'}")
        run_real(args)
        return
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
