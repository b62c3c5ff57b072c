"""One document in any worker process: the pipeline (models included) is built once per worker, then each
input becomes exactly one Record, whatever goes wrong with it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.run.outputs import write_outputs
from pipeline.stages.pipeline import DocumentError, Pipeline


@dataclass
class Record:
    """One input's fate in a run."""

    input: str
    sha256: str | None
    output: str | None
    status: str  # "written" | "failed" | "skipped" (left aside: another format, the reason in error)
    error: str | None = None
    items: int = 0
    words: int = 0
    resumed: bool = False
    seconds: dict[str, float] | None = None  # per stage (ingest, segment, …, write), for --profile



def file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


# -------------------------------------------------------------------- one document, in any worker

_PIPELINE: Pipeline | None = None


def init_worker(use_models: bool, ocr: bool = False) -> None:
    global _PIPELINE
    _PIPELINE = Pipeline(use_models=use_models, ocr=ocr)


def process_one(path: str, out_dir: str, name: str) -> Record:
    """Process one file with this worker's pipeline and write its outputs as OUT/<name>.json; never raises
    for bad input."""
    source_path = Path(path)
    clock = _PIPELINE.clock
    clock.reset()
    try:
        document = _PIPELINE.process(source_path)
        with clock("write"):
            json_path = write_outputs(document, Path(out_dir), name)
    except DocumentError as err:
        return Record(path, file_sha256(source_path), None, "failed", str(err))
    except OSError as err:  # full disk, permissions on the output folder: the input is not written
        return Record(path, file_sha256(source_path), None, "failed", f"{path}: cannot write output ({err})")
    except Exception as err:  # a bug must not take the batch down; it is reported with the file
        return Record(path, file_sha256(source_path), None, "failed", f"{path}: internal error {type(err).__name__}: {err}")
    seconds = {stage: round(value, 6) for stage, value in clock.reset().items()}
    return Record(path, document.source.sha256, json_path.relative_to(Path(out_dir)).as_posix(), "written", None,
                  len(document.items), len(document.source.text.split()), seconds=seconds)
