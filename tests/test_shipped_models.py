"""The models shipped in models/ are the ones `make train` makes from today's data, config and code, and
`referat run` uses them (a fresh clone tags with trained models, not only rules)."""

from __future__ import annotations

import json

import pytest

from pipeline.learn.segment import fingerprint as segment_fingerprint
from pipeline.learn.segment import load_segment_config
from pipeline.learn.train import fingerprint, load_train_config
from pipeline.stages.pipeline import Pipeline
from tests.conftest import ROOT, SAMPLE, SHARED

needs_shared = pytest.mark.skipif(not (SHARED / "real").is_dir(), reason="needs ../shared beside the project")
STALE = "models/{name} is stale: run `make train` and commit models/{name}"


def _card(name: str) -> dict:
    path = ROOT / "models" / name / "model_card.json"
    assert path.is_file(), f"models/{name} is not shipped: run `make train` and commit models/{name}"
    return json.loads(path.read_text(encoding="utf-8"))


@needs_shared
def test_shipped_segmenter_is_current():
    config = load_segment_config(ROOT / "configs" / "train_segment.yaml")
    assert _card("segment")["fingerprint"] == segment_fingerprint(config), STALE.format(name="segment")


@needs_shared
@pytest.mark.parametrize("name", ["type", "topics"])
def test_shipped_classifier_is_current(name):
    config = load_train_config(ROOT / "configs" / f"train_{name}.yaml")
    assert _card(name)["fingerprint"] == fingerprint(config), STALE.format(name=name)


def test_run_uses_the_shipped_models_and_says_so():
    document = Pipeline(use_models=True).process(SAMPLE / "punkt_referat.txt")
    assert document.segmentation["segmenter"].startswith("model:segment@")
    for item in document.items:
        assert item.provenance["segment"].startswith("model:segment@")
        assert item.provenance["type"].startswith("model:type@")
        assert item.provenance["topics"].startswith("model:topics@")
        assert 0.0 <= item.confidence["type"] <= 1.0
    rules = Pipeline(use_models=False).process(SAMPLE / "punkt_referat.txt")
    assert rules.segmentation["segmenter"] == "rules" and rules.items[0].provenance["type"].startswith("rules:")
