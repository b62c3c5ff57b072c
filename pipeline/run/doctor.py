"""`referat doctor`: what a run will do with a tree, before a long batch: files per format, names that had to be
told apart, files it will leave aside and why, and (given the output folder) how many a --resume would skip."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pipeline.config import IngestConfig
from pipeline.ingest import IngestError, discover, pdf_problem, sniff_format
from pipeline.run.batch import complete
from pipeline.run.outputs import output_names


@dataclass
class RunPlan:
    files: int = 0
    formats: Counter = field(default_factory=Counter)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (input under its root, output name)
    will_fail: list[tuple[Path, str]] = field(default_factory=list)  # found, but cannot be read as it is
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # not minutes files
    problems: list[str] = field(default_factory=list)
    already_complete: int | None = None  # with an output folder: outputs a --resume would keep


def plan_run(inputs: list[Path], config: IngestConfig, out_dir: Path | None = None) -> RunPlan:
    discovery = discover(inputs)
    plan = RunPlan(files=len(discovery.files), skipped=discovery.skipped, problems=discovery.problems)
    names = output_names(discovery.files)
    done = 0
    for found, name in zip(discovery.files, names):
        if name != str(PurePosixPath(found.relative).with_suffix("")):
            plan.renamed.append((found.relative, f"{name}.json"))
        try:
            size = found.path.stat().st_size
            with open(found.path, "rb") as handle:
                head = handle.read(1024)
            kind = sniff_format(found.path, head)
        except OSError as err:
            plan.will_fail.append((found.path, f"cannot read ({err.strerror or err})"))
            continue
        except IngestError as err:  # a format referat does not read (.doc): the reason says what to do
            plan.formats["other"] += 1
            plan.will_fail.append((found.path, err.reason))
            continue
        plan.formats[kind] += 1
        if not head.strip():
            plan.will_fail.append((found.path, "empty file"))
        elif size > config.max_megabytes * 1024 * 1024:
            plan.will_fail.append((found.path, f"larger than {config.max_megabytes} MB"))
        elif kind == "pdf" and (problem := pdf_problem(found.path.read_bytes(), config.ocr)):
            plan.will_fail.append((found.path, problem))
        if out_dir and complete(found.path, name, out_dir):
            done += 1
    plan.already_complete = done if out_dir else None
    return plan
