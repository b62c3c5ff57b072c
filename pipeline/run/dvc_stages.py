"""The pipeline as file-to-file stages, for DVC (dvc.yaml): each stage reads the previous stage's folder and
writes its own, so `dvc repro` reruns only what a change touches. `referat run` does the same in one pass."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pipeline.ingest import discover
from pipeline.run.outputs import output_names, write_outputs
from pipeline.stages.pipeline import DocumentError, Pipeline
from pipeline.records import Document, SourceText
from pipeline.writers import write_json_atomic


def ingest(inputs: list[Path], out_dir: Path, pipeline: Pipeline) -> Iterator[tuple[Path, str | None]]:
    found = discover(inputs)
    for problem in found.problems:
        yield Path(problem.split(":")[0]), problem
    for path, name in zip((f.path for f in found.files), output_names(found.files)):
        try:
            source = pipeline.read(path)
        except DocumentError as err:
            yield path, str(err)
            continue
        write_json_atomic(out_dir / f"{name}.json", source.to_json())
        yield path, None


def _stage_files(in_dir: Path) -> list[tuple[Path, str]]:
    """A stage folder's JSON files with their names relative to it (the names the batch run gave them)."""
    return [(path, path.relative_to(in_dir).with_suffix("").as_posix()) for path in sorted(Path(in_dir).rglob("*.json"))]


def segment(in_dir: Path, out_dir: Path, pipeline: Pipeline) -> Iterator[tuple[Path, str | None]]:
    for path, name in _stage_files(in_dir):
        source = SourceText.from_json(json.loads(path.read_text(encoding="utf-8")))
        try:
            document = pipeline.structure(source)
        except DocumentError as err:
            yield path, str(err)
            continue
        write_json_atomic(out_dir / f"{name}.json", {"source": source.to_json(), "document": document.to_json()})
        yield path, None


def predict(in_dir: Path, out_dir: Path, pipeline: Pipeline) -> Iterator[tuple[Path, str | None]]:
    """The final per-document JSON and normalised text, as `referat run` writes them."""
    for path, name in _stage_files(in_dir):
        data = json.loads(path.read_text(encoding="utf-8"))
        source = SourceText.from_json(data["source"])
        write_outputs(pipeline.label(Document.from_json(data["document"], source)), out_dir, name)
        yield path, None


def plot_data(metrics: dict, out_dir: Path) -> list[Path]:
    """DVC plot files: (gold, predicted) type pairs for a confusion plot, and F1 per label."""
    overall = metrics["overall"]
    matrix = overall["type_confusion"]
    pairs = [{"gold": gold, "predicted": pred}
             for i, gold in enumerate(matrix["labels"]) for j, pred in enumerate(matrix["labels"])
             for _ in range(matrix["matrix"][i][j])]
    per_label = [{"task": "type", "label": label, "f1": m["f1"]} for label, m in overall["type"]["per_label"].items()
                 if m["n_gold"] or m["n_pred"]]
    per_label += [{"task": "topics", "label": label, "f1": m["f1"]} for label, m in overall["topics"]["per_label"].items()]
    written = []
    for name, rows in (("type_confusion.json", pairs), ("per_label_f1.json", per_label)):
        write_json_atomic(out_dir / name, rows)
        written.append(out_dir / name)
    return written


def log_pipeline_run(experiment: str, params: dict, metrics: dict, report: Path) -> str:
    """One MLflow run per pipeline run: parameters (params.yaml, flattened), the overall metrics, the report."""
    import os

    import mlflow

    from pipeline.learn.train import flat_metrics, git_commit

    def flatten(value, prefix=""):
        if isinstance(value, dict):
            return {k: v for key, sub in value.items() for k, v in flatten(sub, f"{prefix}{key}.").items()}
        return {prefix.rstrip("."): value}

    mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"))
    mlflow.set_experiment(experiment)
    with mlflow.start_run() as run:
        mlflow.log_params(flatten(params))
        mlflow.set_tags({"git_commit": git_commit() or "unknown"})
        overall = {k: v for k, v in metrics["overall"].items() if k != "type_confusion"}
        mlflow.log_metrics({k.replace(" ", "_"): v for k, v in flat_metrics(overall).items()})
        mlflow.log_artifact(str(report))
        return run.info.run_id
