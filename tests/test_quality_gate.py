"""The quality gate judges the default run (the shipped models) and fails when a model loses items or case
numbers on ../shared/gold that the rules keep."""

from __future__ import annotations

import pytest

from pipeline.config import load_quality_gate
from pipeline.evaluate.score import check_gate, evaluate_dirs
from pipeline.learn.synthetic_layouts import LayoutGenerator
from pipeline.ingest import text_source
from pipeline.stages.pipeline import Pipeline
from pipeline.stages.segment import build_segmenter, line_features
from pipeline.stages.segment.model import LineLabeller
from pipeline.learn.line_labels import LineAligner
from pipeline.writers import write_document
from tests.conftest import ROOT, SHARED, shared_corpus

needs_shared = pytest.mark.skipif(not shared_corpus(), reason="needs ../shared beside the project")


def _gate_failures(pipeline: Pipeline, out) -> list[str]:
    for path in shared_corpus():
        document = pipeline.process(path)
        write_document(document, out / f"{path.stem}.json", out / "text" / f"{path.stem}.txt", out)
    metrics = evaluate_dirs([SHARED / "gold"], out)
    return check_gate(metrics, load_quality_gate(ROOT / "configs" / "quality_gate.yaml"))


@needs_shared
def test_gate_passes_the_default_run_with_the_shipped_models(tmp_path):
    assert _gate_failures(Pipeline(use_models=True), tmp_path) == []


@needs_shared
def test_gate_fails_a_degraded_segmenter(tmp_path):
    """A line labeller trained on two synthetic documents for a few iterations loses items and case numbers."""
    pipeline = Pipeline(use_models=True)
    segmenter = pipeline.segmenter
    aligner = LineAligner(segmenter.featurizer)
    features, labels = [], []
    for name, text, gold in LayoutGenerator(seed=7).documents(2):
        source = text_source(tmp_path / f"{name}.txt", text, pipeline.config.ingest)
        features.append(line_features(source, segmenter.featurizer, segmenter.rules)[1])
        labels.append(aligner.align(name, source, gold).labels)
    LineLabeller(max_iterations=3).fit(features, labels).save(tmp_path / "degraded", {"version": "degraded"})
    pipeline.segmenter = build_segmenter(pipeline.config.segment, tmp_path / "degraded")
    failures = _gate_failures(pipeline, tmp_path / "pred")
    assert any(f.startswith(("item F1", "case-number accuracy")) for f in failures), failures
