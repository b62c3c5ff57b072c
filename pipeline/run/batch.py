"""Batch runs at corpus scale: parallel workers (one Pipeline, models included, per worker), bounded
in-flight work so memory does not grow with the corpus, a manifest that records every input's hash, output,
status and error, and resumption that skips documents whose output is complete and valid.

Invariant: every file given (directly or in a folder) ends as exactly one manifest record, so files in = written +
failed + left aside (a file in another format, with the reason and what to do)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.ingest import SUPPORTED_SUFFIXES, IngestError
from pipeline.run.outputs import output_names, output_paths
from pipeline.run.storage import discover, is_url, join, prepare_output, read_bytes, read_json, sha256_of, write_text
from pipeline.run.worker import Record, init_worker, process_one

MANIFEST = "manifest.jsonl"


@dataclass
class BatchSummary:
    written: int = 0
    failed: int = 0
    skipped: int = 0  # left aside: not a minutes format (the reason is in the manifest)
    resumed: int = 0
    items: int = 0
    words: int = 0
    processed_words: int = 0  # words of the documents processed in this run (not those a resume kept)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    seconds_by_stage: dict[str, float] = field(default_factory=dict)  # summed over the documents processed

    @property
    def documents(self) -> int:
        return self.written + self.failed

    @property
    def files(self) -> int:
        return self.written + self.failed + self.skipped


# -------------------------------------------------------------------- the manifest and resumption


def load_manifest(out_dir) -> dict[str, Record]:
    """Last record per input; a torn last line (a kill mid-write) is ignored."""
    records: dict[str, Record] = {}
    try:
        lines = read_bytes(join(out_dir, MANIFEST)).decode("utf-8").splitlines()
    except (OSError, ValueError, UnicodeDecodeError):
        return records
    for line in lines:
        try:
            data = json.loads(line)
            records[data["input"]] = Record(**data)
        except (ValueError, TypeError, KeyError):
            continue
    return records


def complete(path, name: str, out_dir) -> Record | None:
    """The record of an input whose output is there, valid, from the same bytes and under the same name (read
    from the output itself, so what a killed driver never entered in the manifest is kept too); else None."""
    json_path, text_path = output_paths(name, out_dir)
    data = read_json(json_path)
    try:
        source = data["source"]
        if not isinstance(data.get("items"), list) or source["text_path"] != f"text/{name}.txt":
            return None
        digest = sha256_of(path)
        text = read_bytes(text_path).decode("utf-8")
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    if source.get("sha256") != digest:
        return None
    return Record(str(path), digest, f"{name}.json", "written", None, len(data["items"]), len(text.split()),
                  resumed=True)


class Manifest:
    """Append-only JSON lines, flushed and synced per record, so a kill loses at most the line being written.
    In a store (an output URL), where nothing can be appended to, the driver keeps the lines and writes the whole
    manifest every `every` records and at the end (a kill loses the last lines; the outputs themselves say what
    was written, and --resume reads them)."""

    def __init__(self, out_dir, keep: list[str] | None = None, every: int = 50):
        self.url = join(out_dir, MANIFEST) if is_url(out_dir) else None
        self.lines, self.every = list(keep or []), every
        if self.url is None:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            self.handle = open(Path(out_dir) / MANIFEST, "a", encoding="utf-8")

    def add(self, record: Record) -> None:
        line = json.dumps(asdict(record), ensure_ascii=False) + "\n"
        if self.url:
            self.lines.append(line)
            if len(self.lines) % self.every == 0:
                write_text(self.url, "".join(self.lines))
            return
        self.handle.write(line)
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        if self.url:
            write_text(self.url, "".join(self.lines))
        else:
            self.handle.close()


# -------------------------------------------------------------------- the run


def run_batch(
    inputs: Iterable[Path],
    out_dir: Path,
    workers: int | None = None,
    resume: bool = False,
    use_models: bool = True,
    engine: str = "local",
    on_record: Callable[[Record, BatchSummary], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    ocr: bool = False,
    address: str | None = None,
) -> BatchSummary:
    """Process every input into out_dir; `on_record` sees each record as it lands (for progress display)."""
    out_dir = out_dir if is_url(out_dir) else Path(out_dir)
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    discovery = discover(inputs)
    found, problems = discovery.files, discovery.problems
    if not found and not problems:
        raise IngestError(Path(" ".join(str(i) for i in inputs)),
                          f"no minutes files ({', '.join(sorted(SUPPORTED_SUFFIXES))}) found")
    prepare_output(out_dir)
    names = output_names(found)
    if not resume and not is_url(out_dir) and (out_dir / MANIFEST).exists():
        (out_dir / MANIFEST).unlink()
    summary = BatchSummary()
    manifest = Manifest(out_dir)
    if on_start:
        on_start(len(found) + len(problems) + len(discovery.skipped))

    def land(record: Record) -> None:
        manifest.add(record)
        if record.status == "written":
            summary.written += 1
            summary.resumed += record.resumed
            summary.items += record.items
            summary.words += record.words
            summary.processed_words += 0 if record.resumed else record.words
            for stage, seconds in (record.seconds or {}).items() if not record.resumed else ():
                summary.seconds_by_stage[stage] = summary.seconds_by_stage.get(stage, 0.0) + seconds
        elif record.status == "skipped":
            summary.skipped += 1
        else:
            summary.failed += 1
            summary.errors.append(record.error or record.input)
        if on_record:
            on_record(record, summary)

    try:
        for problem in problems:
            land(Record(problem.split(":")[0], None, None, "failed", problem))
        for path, reason in discovery.skipped:
            land(Record(str(path), None, None, "skipped", f"{path}: {reason}"))
        todo = []
        for entry, name in zip(found, names):
            record = complete(entry.path, name, out_dir) if resume else None
            if record:
                land(record)
            else:
                todo.append((str(entry.path), name))
        if engine == "ray":
            from pipeline.run.batch_ray import process_with_ray

            records = process_with_ray(todo, str(out_dir), workers, use_models, ocr, address)
        else:
            records = _process_local(todo, str(out_dir), workers, use_models, ocr)
        for record in records:
            land(record)
    finally:
        manifest.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _process_local(todo: list[tuple[str, str]], out_dir: str, workers: int, use_models: bool,
                   ocr: bool) -> Iterator[Record]:
    if workers <= 1 or len(todo) <= 1:
        init_worker(use_models, ocr)
        for path, name in todo:
            yield process_one(path, out_dir, name)
        return
    window = workers * 4  # bounded in-flight work: memory stays flat however long the list
    with ProcessPoolExecutor(max_workers=workers, initializer=init_worker, initargs=(use_models, ocr, True)) as pool:
        pending = set()
        for path, name in todo:
            pending.add(pool.submit(process_one, path, out_dir, name))
            if len(pending) >= window:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        for future in pending:
            yield future.result()
