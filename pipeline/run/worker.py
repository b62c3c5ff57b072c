"""One document in any worker process: the pipeline (models included) is built once per worker, then each
input becomes exactly one Record, whatever goes wrong with it."""

from __future__ import annotations

import ctypes
import dataclasses
import os
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.run.outputs import write_outputs
from pipeline.run.storage import fetch, is_url, sha256_of
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
    node: str | None = None  # the cluster node that processed it (Ray engine)



# -------------------------------------------------------------------- one document, in any worker

_PIPELINE: Pipeline | None = None


def init_worker(use_models: bool, ocr: bool = False, watch_parent: bool = False) -> None:
    global _PIPELINE
    if watch_parent:
        exit_with_parent()
    _PIPELINE = Pipeline(use_models=use_models, ocr=ocr)


def exit_with_parent(poll_seconds: float = 1.0) -> None:
    """A worker process ends when the process that started it dies (a batch scheduler's kill -9 of `referat
    run`): on Linux the kernel signals it (PR_SET_PDEATHSIG); everywhere a watchdog thread sees the parent
    change and exits, so no worker is left waiting on a queue nobody writes to."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def process_one(path: str, out_dir: str, name: str) -> Record:
    """Process one file (a path, or a URL of a store) with this worker's pipeline and write its outputs as
    OUT/<name>.json (OUT a folder or a store's URL); never raises for bad input."""
    clock = _PIPELINE.clock
    clock.reset()
    local = path
    try:
        with tempfile.TemporaryDirectory(prefix="referat-in-") as folder:
            local = fetch(path, Path(folder)) if is_url(path) else Path(path)
            document = _PIPELINE.process(local)
            if is_url(path):  # the output says where the input is, not where this worker kept a copy
                document.source = dataclasses.replace(document.source, path=path)
            with clock("write"):
                output = write_outputs(document, out_dir, name)
    except DocumentError as err:
        return Record(path, sha256_of(path), None, "failed", str(err).replace(str(local), path))
    except OSError as err:  # full disk, permissions on the output folder, a store out of reach
        return Record(path, sha256_of(path), None, "failed", f"{path}: cannot read or write ({err})")
    except Exception as err:  # a bug must not take the batch down; it is reported with the file
        return Record(path, sha256_of(path), None, "failed", f"{path}: internal error {type(err).__name__}: {err}")
    seconds = {stage: round(value, 6) for stage, value in clock.reset().items()}
    return Record(path, document.source.sha256, output, "written", None, len(document.items),
                  len(document.source.text.split()), seconds=seconds)
