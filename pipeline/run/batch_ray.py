"""The batch run on a Ray cluster (Ray Data over the document list), for corpora that outgrow one machine.
Imported only with `--engine ray`: the single-machine path does not need Ray installed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from pipeline.run.worker import Record


class _Worker:
    """A Ray actor: loads the pipeline (and its models) once, then processes batches of paths."""

    def __init__(self, out_dir: str, use_models: bool, ocr: bool):
        from pipeline.run.worker import init_worker

        init_worker(use_models, ocr)
        self.out_dir = out_dir

    def __call__(self, rows: dict) -> dict:
        from pipeline.run.worker import process_one

        records = [asdict(process_one(path, self.out_dir, name)) for path, name in zip(rows["path"], rows["name"])]
        for record in records:  # a column of dicts with varying keys does not make an Arrow type
            record["seconds"] = json.dumps(record["seconds"])
        return {key: [r[key] for r in records] for key in records[0]} if records else {}


def process_with_ray(todo: list[tuple[str, str]], out_dir: Path, workers: int, use_models: bool,
                     ocr: bool) -> Iterator[Record]:
    import ray

    if not todo:
        return
    if not ray.is_initialized():
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    dataset = ray.data.from_items([{"path": path, "name": name} for path, name in todo])
    processed = dataset.map_batches(
        _Worker, fn_constructor_kwargs={"out_dir": str(out_dir), "use_models": use_models, "ocr": ocr},
        batch_size=4, concurrency=workers,
    )
    for row in processed.iter_rows():
        fields = {key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}
        yield Record(**{**fields, "seconds": json.loads(fields["seconds"])})
