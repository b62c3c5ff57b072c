"""Training jobs for the item-type and topic models: data → leave-one-municipality-out scores → final
model on all data → models/<name>/ with a model card → MLflow run (params, metrics, confusion plot, model,
data version). The score reported for a model is always on municipalities it did not train on."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import yaml
from pydantic import Field

from pipeline.config import ITEM_TYPES, ConfigError, _Strict, load_taxonomy
from pipeline.learn.dataset import Example, data_version, gold_examples, save, weak_examples
from pipeline.evaluate.score import calibration, confusion, macro_f1, prf
from pipeline.evaluate.report import plot_confusion
from pipeline.stages.pipeline import Pipeline
from pipeline.stages.textcat import BACKENDS, TextClassifier, fit_temperature, scale_temperature


class GoldSource(_Strict):
    gold_dir: str
    corpus_dir: str


class DataSources(_Strict):
    gold: list[GoldSource] = Field(min_length=1)
    weak_inputs: list[str] = []
    # The segmenter whose items the model learns from (as `referat run` will give it), else the rules.
    segmenter: str | None = None


class TrainConfig(_Strict):
    task: str = Field(pattern="^(type|topics)$")
    backend: str = Field(pattern="^(sklearn|spacy|transformers)$")
    params: dict = {}
    data: DataSources
    output: str
    experiment: str


def load_train_config(path: Path) -> TrainConfig:
    try:
        return TrainConfig.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: {err}") from err


def make_model(config: TrainConfig) -> TextClassifier:
    cls = BACKENDS[config.backend]
    extra = {"taxonomy": load_taxonomy()} if config.backend == "sklearn" and config.task == "topics" else {}
    return cls(multilabel=config.task == "topics", **config.params, **extra)


def label_of(example: Example, task: str):
    return example.type if task == "type" else example.topics


def texts_of(examples: list[Example], task: str) -> list[str]:
    return [e.text_type if task == "type" else e.text_topics for e in examples]


def known_labels(task: str) -> list[str]:
    return list(ITEM_TYPES) if task == "type" else load_taxonomy().labels


@dataclass
class CrossValidation:
    """Out-of-municipality predictions for every gold example, and their scores. For the item type,
    `probabilities` holds each held-out row and `temperature` the calibration fitted on all of them."""

    examples: list[Example]
    predictions: list
    metrics: dict
    temperature: float = 1.0


def lomo(config: TrainConfig, examples: list[Example]) -> CrossValidation:
    """Leave one municipality out: train on the others (gold and weak), predict the held-out gold items.
    The item type's temperature is judged the same way: each municipality's predictions are scaled by a
    temperature fitted on the other municipalities' held-out predictions."""
    task = config.task
    gold = [e for e in examples if e.source == "gold"]
    thresholds = {t.label: t.threshold for t in load_taxonomy().topics}
    municipalities = sorted({e.municipality or "?" for e in gold})
    held_out, predictions, probabilities, labels, folds = [], [], [], [], {}
    for municipality in municipalities:
        train = [e for e in examples if (e.municipality or "?") != municipality and label_of(e, task) is not None]
        test = [e for e in gold if (e.municipality or "?") == municipality]
        model = make_model(config).fit(texts_of(train, task), [label_of(e, task) for e in train], known_labels(task))
        if task == "type":
            probabilities.append(model.predict_proba(texts_of(test, task)))
            labels = model.labels
        else:
            predictions += model.predict(texts_of(test, task), thresholds)
        held_out += test
        folds[municipality] = {"train": len(train), "test": len(test)}
    if task != "type":
        metrics = score(task, [label_of(e, task) for e in held_out], predictions)
        return CrossValidation(held_out, predictions, {**metrics, "folds": folds})
    gold_index = [labels.index(e.type) for e in held_out]
    raw = np.vstack(probabilities)
    owner = np.array([e.municipality or "?" for e in held_out])
    calibrated = np.zeros_like(raw)
    for municipality in municipalities:
        mine = owner == municipality
        others = np.flatnonzero(~mine)
        temperature = fit_temperature(raw[others], [gold_index[i] for i in others])
        calibrated[mine] = scale_temperature(raw[mine], temperature)
    predictions = [(labels[int(row.argmax())], float(row.max())) for row in calibrated]
    metrics = score(task, [e.type for e in held_out], predictions)
    metrics["calibration_uncalibrated"] = calibration(list(raw.max(axis=1)), [p[0] == e.type for p, e in zip(predictions, held_out)])
    temperature = fit_temperature(raw, gold_index)
    metrics["temperature"] = temperature
    return CrossValidation(held_out, predictions, {**metrics, "folds": folds}, temperature)


def score(task: str, gold: list, predicted: list) -> dict:
    if task == "type":
        labels = [p[0] for p in predicted]
        pairs = list(zip(gold, labels))
        majority = max(set(gold), key=gold.count)
        return {
            "accuracy": float(np.mean([g == p for g, p in pairs])),
            **macro_f1(pairs, ITEM_TYPES),
            "majority_baseline_accuracy": gold.count(majority) / len(gold),
            "confusion": confusion(pairs, list(ITEM_TYPES)),
            "calibration": calibration([p[1] for p in predicted], [g == p for g, p in pairs]),
        }
    per_label = {}
    tp = n_pred = n_gold = 0
    for label in load_taxonomy().labels:
        g = [label in row for row in gold]
        p = [label in {l for l, _ in row} for row in predicted]
        counts = (sum(a and b for a, b in zip(g, p)), sum(p), sum(g))
        per_label[label] = prf(*counts)
        tp, n_pred, n_gold = tp + counts[0], n_pred + counts[1], n_gold + counts[2]
    return {"micro": prf(tp, n_pred, n_gold), "per_label": per_label}


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("scikit-learn", "spacy", "transformers", "torch", "datasets", "mlflow", "referat"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


PROJECT = Path(__file__).resolve().parent.parent.parent
# Source files whose change makes a trained type or topic model stale (its features and the text it sees).
FINGERPRINT_SOURCES = ["pipeline/stages/textcat.py", "pipeline/stages/classify.py", "pipeline/stages/topics.py",
                       "pipeline/stages/item_text.py", "configs/topics.yaml", "configs/pipeline.yaml"]


def fingerprint_of(settings: dict, files: list[str], data: list[bytes]) -> str:
    """Content hash of what a trained model depends on: its settings, its data, the code and vocabulary that
    make its features. A shipped model whose fingerprint differs from today's is stale."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode())
    for chunk in data:
        digest.update(chunk)
    for name in files:
        digest.update(name.encode() + (PROJECT / name).read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(config: TrainConfig, examples: list[Example] | None = None) -> str:
    examples = examples if examples is not None else build_examples(config)
    return fingerprint_of(config.model_dump(exclude={"output", "experiment"}), FINGERPRINT_SOURCES,
                          [data_version(examples).encode()])


def write_model_card(path: Path, card: dict) -> None:
    (path / "model_card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = [f"# {card['name']}", "", f"- task: {card['task']}", f"- backend: {card['backend']}",
             f"- trained: {card['date']}", f"- data version: {card['data']['version']} "
             f"({card['data']['gold_items']} gold items, {card['data']['weak_items']} weakly labelled)",
             f"- config: `{json.dumps(card['config'], ensure_ascii=False)}`",
             "- files (scikit-learn backend): `classifier.json` (parameters, labels, temperature), `vocabulary.json` "
             "(n-gram terms in column order), `weights.npz` (inverse document frequencies and weights, read without "
             "pickle: loading runs no code)", "",
             "## Leave-one-municipality-out scores", "", "```", json.dumps(card["metrics"], indent=2), "```", "",
             "## Library versions", ""] + [f"- {k}: {v}" for k, v in card["libraries"].items()]
    (path / "MODEL_CARD.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def example_pipeline(config: TrainConfig) -> Pipeline:
    """The pipeline whose items training examples are made of: rules for labels, the configured segmenter."""
    from pipeline.config import ModelPaths
    from pipeline.stages.segment import build_segmenter

    pipeline = Pipeline(use_models=False)
    if config.data.segmenter:
        pipeline.segmenter = build_segmenter(pipeline.config.segment, ModelPaths.resolve(config.data.segmenter))
    return pipeline


def build_examples(config: TrainConfig, pipeline: Pipeline | None = None) -> list[Example]:
    pipeline = pipeline or example_pipeline(config)
    gold = [e for source in config.data.gold
            for e in gold_examples(Path(source.corpus_dir), Path(source.gold_dir), pipeline)]
    weak = weak_examples([Path(p) for p in config.data.weak_inputs], pipeline, {e.document for e in gold})
    return gold + weak


def train(config: TrainConfig, cv: str | None = "lomo", log_to_mlflow: bool = True, config_path: Path | None = None,
          data_dir: Path | None = None) -> dict:
    """Train, cross-validate, save the model with its card, and log the run; returns the model card. The
    training examples are written to `data_dir` (Arrow + Parquet) when given."""
    started = time.perf_counter()
    examples = build_examples(config)
    version = data_version(examples)
    cross = lomo(config, examples) if cv == "lomo" else None
    labelled = [e for e in examples if label_of(e, config.task) is not None]
    model = make_model(config).fit(texts_of(labelled, config.task), [label_of(e, config.task) for e in labelled],
                                   known_labels(config.task))
    if cross:
        model.temperature = cross.temperature
    output = Path(config.output)
    if output.exists():
        import shutil

        shutil.rmtree(output)
    model.save(output)
    if data_dir:
        save(examples, Path(data_dir))
    model_fingerprint = fingerprint(config, examples)
    card = {
        "name": output.name,
        "task": config.task,
        "backend": config.backend,
        "version": f"{output.name}@{model_fingerprint}",  # the same data, config and code: the same version
        "fingerprint": model_fingerprint,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": config.model_dump(),
        "data": {"version": version, "gold_items": sum(e.source == "gold" for e in examples),
                 "weak_items": sum(e.source == "weak" for e in labelled)},
        "metrics": {"cv": cv, **(cross.metrics if cross else {})},
        "libraries": library_versions(),
        "git_commit": git_commit(),
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    if cross and config.task == "type":
        plot_confusion(cross.metrics["confusion"], output / "confusion.png",
                       f"{config.task} ({config.backend}), leave-one-municipality-out")
    write_model_card(output, card)
    if log_to_mlflow:
        log_run(config, card, output, config_path)
    return card


def headline_metrics(card: dict) -> dict:
    """The figures `dvc metrics show` and `dvc exp show` list for a type or topic model (leave one municipality
    out), with the model version that reached them."""
    m = card["metrics"]
    if m.get("cv") != "lomo":
        return {"version": card["version"]}
    if card["task"] == "type":
        out = {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"], "ece": m["calibration"]["ece"],
               "majority_baseline_accuracy": m["majority_baseline_accuracy"],
               **{f"f1_{label}": row["f1"] for label, row in m["per_label"].items()}}
    else:
        out = {"micro_f1": m["micro"]["f1"], "micro_precision": m["micro"]["precision"],
               "micro_recall": m["micro"]["recall"], **{f"f1_{label}": row["f1"] for label, row in m["per_label"].items()}}
    return {"version": card["version"], **{k: round(v, 4) for k, v in out.items()}}


def run_tags(data_version: str, card: dict) -> dict[str, str]:
    """What ties an MLflow run to the rest: data and model versions, git commit, and the DVC experiment
    (`dvc exp run` names it in DVC_EXP_NAME) that made it."""
    return {"data_version": data_version, "model_version": card["version"],
            "git_commit": card.get("git_commit") or "unknown",
            "dvc_experiment": os.environ.get("DVC_EXP_NAME") or "workspace"}


def flat_metrics(metrics: dict, prefix: str = "") -> dict[str, float]:
    out = {}
    for key, value in metrics.items():
        if isinstance(value, dict) and key not in ("confusion", "folds"):
            out.update(flat_metrics(value, f"{prefix}{key}."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[f"{prefix}{key}"] = float(value)
    return out


def log_run(config: TrainConfig, card: dict, output: Path, config_path: Path | None) -> str:
    """One MLflow run: immutable params (the config), mutable facts as tags and metrics, artefacts."""
    import mlflow

    mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"))
    mlflow.set_experiment(config.experiment)
    with mlflow.start_run(run_name=card["version"]) as run:
        mlflow.log_params({"task": config.task, "backend": config.backend, "cv": card["metrics"].get("cv"),
                           **{f"params.{k}": v for k, v in config.params.items()}})
        mlflow.set_tags(run_tags(card["data"]["version"], card))
        mlflow.log_metrics({**flat_metrics(card["metrics"]), "train_seconds": card["train_seconds"],
                            "gold_items": card["data"]["gold_items"], "weak_items": card["data"]["weak_items"]})
        if config_path:
            mlflow.log_artifact(str(config_path), artifact_path="config")
        mlflow.log_artifacts(str(output), artifact_path="model")
        return run.info.run_id
