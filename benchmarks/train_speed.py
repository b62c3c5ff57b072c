"""Benchmark: time to train the default models (configs/train_type.yaml, configs/train_topics.yaml) on the
shared corpus, with and without leave-one-municipality-out CV. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/train_speed.py [--threads N]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="CPU threads (BLAS/torch)")
    args = parser.parse_args()
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)

    from pipeline.stages.pipeline import Pipeline
    from pipeline.learn.train import build_examples, label_of, load_train_config, lomo, make_model, known_labels, texts_of

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, threads {args.threads}")
    pipeline = Pipeline(use_models=False)
    for task in ("type", "topics"):
        config = load_train_config(Path(f"configs/train_{task}.yaml"))
        started = time.perf_counter()
        examples = build_examples(config, pipeline)
        built = time.perf_counter()
        labelled = [e for e in examples if label_of(e, task) is not None]
        make_model(config).fit(texts_of(labelled, task), [label_of(e, task) for e in labelled], known_labels(task))
        fitted = time.perf_counter()
        lomo(config, examples)
        validated = time.perf_counter()
        print(f"{task:7s} examples {len(labelled):4d}  data {built - started:5.2f}s  fit {fitted - built:5.2f}s  "
              f"lomo {validated - fitted:5.2f}s  total {validated - started:5.2f}s")


if __name__ == "__main__":
    main()
