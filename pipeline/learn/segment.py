"""Training job of the segmenter: gold documents (and synthetic layouts) → line labels → CRF line labeller,
scored leave-one-municipality-out, with a learning curve, saved with its model card, logged to MLflow.

    referat train segment --config configs/train_segment.yaml [--cv lomo|none] [--predictions DIR]

Every score is on municipalities the labeller did not train on: for each municipality, a labeller trained on
all the others (and the synthetic layouts) segments its documents, and the whole pipeline (rule labels for
type and dissent, so no model sees its own training data) makes the predictions that are scored and, with
--predictions, written for `referat evaluate` and its report.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml
from pydantic import Field

from pipeline.config import ConfigError, _Strict, load_pipeline_config
from pipeline.contract import ContractError, document_files, read_document
from pipeline.evaluate.score import aggregate, evaluate_document, prf
from pipeline.ingest import text_source
from pipeline.learn.line_labels import LineAligner
from pipeline.learn.synthetic_layouts import LayoutGenerator
from pipeline.records import Document, SourceText
from pipeline.stages.pipeline import DocumentError, Pipeline
from pipeline.stages.segment import LineSegmenter, SegmentationError, Segmenter, line_features
from pipeline.stages.segment.features import LineFeaturizer
from pipeline.stages.segment.model import LineLabeller
from pipeline.stages.segment.vocabulary import Vocabulary

# Source files whose change makes a trained segmenter stale (they decide its features and training labels).
FINGERPRINT_SOURCES = ["pipeline/stages/segment/features.py", "pipeline/stages/segment/vocabulary.py",
                       "pipeline/learn/line_labels.py", "pipeline/learn/synthetic_layouts.py", "configs/pipeline.yaml"]


class GoldSource(_Strict):
    gold_dir: str
    corpus_dir: str


class SyntheticLayouts(_Strict):
    documents: int = Field(ge=0, default=100)
    seed: int = 0
    # documents per gold municipality that re-render its items' text in random layouts (left out with it)
    rerendered_per_municipality: int = Field(ge=0, default=0)


class SegmentTrainConfig(_Strict):
    task: str = Field(pattern="^segment$")
    gold: list[GoldSource] = Field(min_length=1)
    synthetic: SyntheticLayouts = SyntheticLayouts()
    real_weight: int = Field(ge=1, default=3)  # each real document counts this many times against synthetic ones
    params: dict = {}
    start_threshold: float = Field(gt=0, lt=1, default=0.2)
    transcripts: str = Field(pattern="^(rules_first|model_first)$", default="rules_first")
    learning_curve: list[int] = [0, 1, 2, 4, 8, 16, 32]
    learning_curve_repeats: int = Field(ge=1, default=3)
    output: str
    experiment: str


def load_segment_config(path: Path) -> SegmentTrainConfig:
    try:
        return SegmentTrainConfig.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: {err}") from err


@dataclass
class Example:
    """A gold document with its lines, their features and their labels."""

    name: str
    municipality: str | None
    gold: dict
    source: SourceText
    lines: list
    features: list[list[str]]
    labels: list[str]
    problems: list[str] = field(default_factory=list)


class SegmentData:
    """The training documents of a config: gold documents read through the pipeline's ingest, synthetic
    layouts, both with line features computed once."""

    def __init__(self, config: SegmentTrainConfig, pipeline: Pipeline | None = None):
        self.config = config
        self.pipeline = pipeline or Pipeline(use_models=False)
        segment_config = load_pipeline_config().segment
        self.featurizer = LineFeaturizer(Vocabulary(segment_config))
        self.rules = Segmenter(segment_config)
        self.aligner = LineAligner(self.featurizer)
        self.gold = self._gold_examples()
        self.synthetic = self._synthetic_examples()
        self.rerendered = self._rerendered_examples()

    def _example(self, name: str, municipality: str | None, source: SourceText, gold: dict) -> Example:
        aligned = self.aligner.align(name, source, gold)
        lines, features = line_features(source, self.featurizer, self.rules)
        if [l.start for l in lines] != [l.start for l in aligned.lines]:  # both cut the same lines
            raise AssertionError(f"{name}: lines differ between features and alignment")
        return Example(name, municipality, gold, source, lines, features, aligned.labels, aligned.problems)

    def _gold_examples(self) -> list[Example]:
        examples = []
        for source_config in self.config.gold:
            gold_dir = Path(source_config.gold_dir)
            files = document_files(gold_dir)
            if not files:
                raise ContractError(gold_dir, "no gold JSON files")
            for path in files:
                gold = read_document(path)
                raw = Path(source_config.corpus_dir) / gold["document"]
                try:
                    source = self.pipeline.read(raw)
                except DocumentError as err:
                    raise ConfigError(f"{raw}: cannot read the document the gold annotates ({err})") from err
                examples.append(self._example(path.stem, gold.get("municipality"), source, gold))
        return examples

    def _synthetic_examples(self) -> list[Example]:
        generator = LayoutGenerator(self.config.synthetic.seed)
        ingest = self.pipeline.config.ingest
        return [self._example(name, None, text_source(Path(f"{name}.txt"), text, ingest), gold)
                for name, text, gold in generator.documents(self.config.synthetic.documents)]

    def _rerendered_examples(self) -> list[Example]:
        """Each municipality's gold items in new random layouts: its words, other layouts. They carry the
        municipality, so a fold that leaves it out leaves them out too."""
        per = self.config.synthetic.rerendered_per_municipality
        ingest = self.pipeline.config.ingest
        examples = []
        for index, municipality in enumerate(self.municipalities if per else []):
            pool = [item for e in self.gold if (e.municipality or "?") == municipality for item in e.gold["items"]]
            generator = LayoutGenerator(self.config.synthetic.seed + 1000 + index, pool)
            for name, text, gold in generator.documents(per, prefix=f"rerendered_{index:03d}"):
                examples.append(self._example(name, municipality, text_source(Path(f"{name}.txt"), text, ingest), gold))
        return examples

    @property
    def municipalities(self) -> list[str]:
        return sorted({e.municipality or "?" for e in self.gold})

    def fit(self, gold: list[Example]) -> LineLabeller:
        """A labeller trained on these gold documents (each `real_weight` times), the synthetic layouts, and the
        re-rendered items of their municipalities."""
        municipalities = {e.municipality or "?" for e in gold}
        train = gold * self.config.real_weight + self.synthetic + [
            e for e in self.rerendered if e.municipality in municipalities]
        return LineLabeller(**self.config.params).fit([e.features for e in train], [e.labels for e in train])

    def segmenter(self, labeller: LineLabeller, version: str) -> LineSegmenter:
        return LineSegmenter(load_pipeline_config().segment, labeller, version, self.config.start_threshold,
                             self.config.transcripts)

    def predict(self, segmenter: LineSegmenter, example: Example) -> Document | None:
        """The whole pipeline on a gold document with this segmenter (rule labels for everything else)."""
        try:
            segmentation = segmenter.segment(example.source, example.lines, example.features)
        except SegmentationError:
            return None
        document = self.pipeline.document_from(example.source, segmentation)
        return self.pipeline.label(document)


def _prediction(document: Document | None) -> dict:
    return document.to_json() if document is not None else {"items": []}


# The training data of the folds a pool runs: set before the pool forks, so workers share it unpickled.
_FOLD_DATA: SegmentData | None = None


def _fold(task: tuple[str, list[str], list[str]]) -> tuple[str, dict[str, Document | None]]:
    """One fold: a labeller trained on the `train` municipalities segments the `test` documents."""
    version, train, test = task
    data = _FOLD_DATA
    labeller = data.fit([e for e in data.gold if (e.municipality or "?") in train])
    segmenter = data.segmenter(labeller, version)
    return version, {e.name: data.predict(segmenter, e) for e in data.gold if (e.municipality or "?") in test}


def run_folds(data: SegmentData, tasks: list[tuple[str, list[str], list[str]]], jobs: int, on_fold=None):
    """Each (version, train municipalities, test municipalities) fold, in `jobs` forked processes; yields the
    folds' predictions in task order and calls on_fold(version) as each one finishes."""
    global _FOLD_DATA
    _FOLD_DATA = data
    try:
        if jobs <= 1 or len(tasks) <= 1:
            results = []
            for task in tasks:
                results.append(_fold(task))
                if on_fold:
                    on_fold(task[0])
            return results
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = {}
            for version, predictions in pool.imap_unordered(_fold, tasks):
                results[version] = predictions
                if on_fold:
                    on_fold(version)
        return [(task[0], results[task[0]]) for task in tasks]
    finally:
        _FOLD_DATA = None


def cross_validate(data: SegmentData, on_fold=None, jobs: int = 1) -> tuple[dict[str, Document | None], dict]:
    """Leave one municipality out: predictions for every gold document, and their scores (overall, per
    municipality, per document)."""
    municipalities = data.municipalities
    tasks = [(f"lomo-{m}", [o for o in municipalities if o != m], [m]) for m in municipalities]
    predictions: dict[str, Document | None] = {}
    for _, found in run_folds(data, tasks, jobs, on_fold):
        predictions.update(found)
    return predictions, score(data, predictions)


def score(data: SegmentData, predictions: dict[str, Document | None]) -> dict:
    type_prefixes = load_pipeline_config().segment.type_prefixes
    results = [evaluate_document(e.name, e.gold, _prediction(predictions.get(e.name)),
                                 text=e.source.text) for e in data.gold]
    groups: dict[str, list] = {}
    for example, result in zip(data.gold, results):
        groups.setdefault(example.municipality or "?", []).append(result)
    per_municipality = {name: aggregate(group, type_prefixes) for name, group in sorted(groups.items())}
    return {
        "overall": aggregate(results, type_prefixes),
        "per_municipality": per_municipality,
        "per_document": {r.name: prf(len(r.pairs), r.n_pred, r.n_gold) for r in results},
        "rejected_pages": sorted(e.name for e in data.gold if predictions.get(e.name) is None),
    }


def learning_curve(data: SegmentData, sizes: list[int], repeats: int, seed: int = 0, jobs: int = 1,
                   on_fold=None) -> list[dict]:
    """Item F1 on the municipalities left out, against how many municipalities the labeller trained on
    (randomly drawn, `repeats` draws per size; 0 = synthetic layouts only)."""
    rng = random.Random(seed)
    municipalities = data.municipalities
    tasks = []
    for size in [s for s in sizes if s < len(municipalities)]:
        for draw in range(repeats if size else 1):
            chosen = sorted(rng.sample(municipalities, size))
            if not chosen and not data.synthetic:
                continue
            tasks.append((f"curve-{size}-{draw}", chosen, [m for m in municipalities if m not in chosen]))
    scores: dict[int, list[float]] = {}
    for version, predictions in run_folds(data, tasks, jobs, on_fold):
        counts = [0, 0, 0]
        for example in data.gold:
            if example.name in predictions:
                result = evaluate_document(example.name, example.gold, _prediction(predictions[example.name]))
                counts = [counts[0] + len(result.pairs), counts[1] + result.n_pred, counts[2] + result.n_gold]
        scores.setdefault(int(version.split("-")[1]), []).append(prf(*counts)["f1"])
    points = []
    for size, values in scores.items():
        mean = sum(values) / len(values)
        spread = (sum((s - mean) ** 2 for s in values) / len(values)) ** 0.5
        points.append({"municipalities": size, "item_f1": round(mean, 4), "sd": round(spread, 4), "draws": len(values)})
    return points


def fingerprint(config: SegmentTrainConfig) -> str:
    """Content hash of everything a trained segmenter depends on: the gold and the documents it annotates,
    the training config, and the code and vocabulary that make features and labels. A shipped model whose
    fingerprint differs from this is stale: `make train` would train another."""
    from pipeline.learn.train import fingerprint_of

    data = []
    for source_config in config.gold:
        for path in sorted(Path(source_config.gold_dir).glob("*.json")):
            gold = json.loads(path.read_text(encoding="utf-8"))
            raw = Path(source_config.corpus_dir) / gold["document"]
            data += [path.name.encode(), path.read_bytes(), raw.read_bytes() if raw.is_file() else b"missing"]
    settings = config.model_dump(exclude={"output", "experiment", "learning_curve", "learning_curve_repeats"})
    return fingerprint_of(settings, FINGERPRINT_SOURCES, data)


def plot_learning_curve(points: list[dict], path: Path | None) -> bytes:
    from pipeline.evaluate.report import plot_learning_curve as plot

    return plot(points, path)


def train_segmenter(config: SegmentTrainConfig, cv: str | None = "lomo", log_to_mlflow: bool = True,
                    config_path: Path | None = None, predictions_dir: Path | None = None, progress=None,
                    jobs: int = 1, curve: bool = True) -> dict:
    """Cross-validate, learn the curve, fit on everything, save the model with its card; returns the card.
    `progress(step, done, total)` is called as each fold finishes; folds run in `jobs` processes."""
    from pipeline.learn.train import git_commit, library_versions

    started = time.perf_counter()
    data = SegmentData(config)
    metrics: dict = {"cv": cv}
    if cv == "lomo":
        def counting(step: str, total: int):
            done = [0]

            def on_fold(version: str) -> None:
                done[0] += 1
                if progress:
                    progress(f"{step} ({version})", done[0], total)
            return on_fold

        folds = len(data.municipalities)
        predictions, scores = cross_validate(data, counting("leave-one-municipality-out", folds), jobs)
        overall = scores["overall"]
        metrics.update({
            "item_f1": overall["items"]["f1"], "item_precision": overall["items"]["precision"],
            "item_recall": overall["items"]["recall"],
            "min_municipality_item_f1": min(m["items"]["f1"] for m in scores["per_municipality"].values()),
            "per_municipality": {name: {"documents": m["documents"], "items": m["items"]["n_gold"],
                                        "item_f1": round(m["items"]["f1"], 4)}
                                 for name, m in scores["per_municipality"].items()},
            "rejected_pages": scores["rejected_pages"],
            "decision_token_f1": overall["decision_token_f1"],
            "recommendation_token_f1": overall["recommendation_token_f1"],
        })
        if curve:
            draws = sum(config.learning_curve_repeats if size else 1 for size in config.learning_curve
                        if size < folds)
            metrics["learning_curve"] = learning_curve(data, config.learning_curve, config.learning_curve_repeats,
                                                       jobs=jobs, on_fold=counting("learning curve", draws))
        if predictions_dir:
            from pipeline.writers import write_document

            for name, document in predictions.items():
                if document is not None:
                    write_document(document, Path(predictions_dir) / f"{name}.json",
                                   Path(predictions_dir) / "text" / f"{name}.txt", Path(predictions_dir))
    labeller = data.fit(data.gold)
    output = Path(config.output)
    version = f"{output.name}@{fingerprint(config)}"
    card = {
        "name": output.name, "task": "segment", "backend": "crfsuite", "version": version,
        "fingerprint": fingerprint(config),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": config.model_dump(), "start_threshold": config.start_threshold,
        "data": {"gold_documents": len(data.gold), "municipalities": len(data.municipalities),
                 "synthetic_documents": len(data.synthetic),
                 "lines": sum(len(e.labels) for e in data.gold),
                 "label_counts": _label_counts(data.gold),
                 "alignment_problems": {e.name: e.problems for e in data.gold if e.problems}},
        "metrics": metrics, "libraries": library_versions(), "git_commit": git_commit(),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    if output.exists():
        import shutil

        shutil.rmtree(output)
    labeller.save(output, {"version": version, "start_threshold": config.start_threshold,
                           "transcripts": config.transcripts})
    if metrics.get("learning_curve"):
        plot_learning_curve(metrics["learning_curve"], output / "learning_curve.png")
    write_segment_card(output, card)
    if log_to_mlflow:
        _log_run(config, card, output, config_path)
    return card


def headline_metrics(card: dict) -> dict:
    """The segmenter's leave-one-municipality-out figures for `dvc metrics show` / `dvc exp show`."""
    m = card["metrics"]
    if m.get("cv") != "lomo":
        return {"version": card["version"]}
    out = {key: m[key] for key in ("item_f1", "item_precision", "item_recall", "min_municipality_item_f1",
                                   "decision_token_f1", "recommendation_token_f1")}
    out = {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}
    out["rejected_pages"] = len(m["rejected_pages"])
    out["municipalities_below_0.75"] = sum(row["item_f1"] < 0.75 for row in m["per_municipality"].values())
    for point in m.get("learning_curve", []):
        out[f"curve_{point['municipalities']:02d}"] = point["item_f1"]
    return {"version": card["version"], **out}


def _label_counts(examples: list[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        for label in example.labels:
            counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items()))


def write_segment_card(path: Path, card: dict) -> None:
    (path / "model_card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    m = card["metrics"]
    lines = [f"# {card['name']}: line labeller of the segmenter", "",
             f"- version: `{card['version']}`, trained {card['date']} in {card['train_seconds']} s",
             "- model: linear-chain CRF (CRFsuite, L-BFGS, L1+L2) over line features (stages/segment/features.py);"
             " file `lines.crfsuite` is CRFsuite's own binary format, `labeller.json` its labels and parameters",
             f"- data: {card['data']['gold_documents']} gold documents from {card['data']['municipalities']} "
             f"municipalities, {card['data']['synthetic_documents']} synthetic layouts; {card['data']['lines']} gold lines",
             f"- intended use: `referat run` segments documents into agenda items with it; PDF transcripts are "
             f"segmented by the rules; where it finds no item the rules try",
             ""]
    if m.get("cv") == "lomo":
        lines += ["## Leave-one-municipality-out", "",
                  f"Item F1 {m['item_f1']:.3f} (precision {m['item_precision']:.3f}, recall {m['item_recall']:.3f}); "
                  f"worst municipality {m['min_municipality_item_f1']:.3f}; pages with no item found: "
                  f"{len(m['rejected_pages'])}.", "", "| municipality | documents | gold items | item F1 |", "|---|---|---|---|"]
        lines += [f"| {name} | {row['documents']} | {row['items']} | {row['item_f1']:.3f} |"
                  for name, row in m["per_municipality"].items()]
        lines += ["", "Learning curve (item F1 on left-out municipalities):", "",
                  "| training municipalities | item F1 | sd | draws |", "|---|---|---|---|"]
        lines += [f"| {p['municipalities']} | {p['item_f1']:.3f} | {p['sd']:.3f} | {p['draws']} |"
                  for p in m.get("learning_curve", [])]
    lines += ["", "## Limits", "", "Trained on crawled pages that are often cut, and on a few full documents; "
              "layouts unlike any of them (and unlike the synthetic ones) are segmented less well. "
              "Alignment problems (gold items not found in the text) are listed in model_card.json."]
    (path / "MODEL_CARD.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _log_run(config: SegmentTrainConfig, card: dict, output: Path, config_path: Path | None) -> str:
    import os

    import mlflow

    from pipeline.learn.train import flat_metrics, run_tags

    mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"))
    mlflow.set_experiment(config.experiment)
    with mlflow.start_run(run_name=card["version"]) as run:
        mlflow.log_params({"task": "segment", "backend": "crfsuite", "cv": card["metrics"].get("cv"),
                           "synthetic_documents": config.synthetic.documents, "real_weight": config.real_weight,
                           "start_threshold": config.start_threshold,
                           **{f"params.{k}": v for k, v in config.params.items()}})
        mlflow.set_tags(run_tags(card["fingerprint"], card))
        scalar = {k: v for k, v in card["metrics"].items() if k not in ("learning_curve", "per_municipality")}
        mlflow.log_metrics({**flat_metrics(scalar), "train_seconds": card["train_seconds"]})
        for point in card["metrics"].get("learning_curve", []):
            mlflow.log_metric("learning_curve_item_f1", point["item_f1"], step=point["municipalities"])
        if config_path:
            mlflow.log_artifact(str(config_path), artifact_path="config")
        mlflow.log_artifacts(str(output), artifact_path="model")
        return run.info.run_id
