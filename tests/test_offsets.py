"""Provenance: every span written points at text that equals (whitespace-normalised) the field it backs."""

from __future__ import annotations

import json

import pytest

from pipeline.run.batch import run_batch
from pipeline.records import squash
from tests.conftest import SAMPLE, shared_corpus

INPUTS = sorted(SAMPLE.iterdir()) + shared_corpus()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    summary = run_batch(INPUTS, out, workers=1, use_models=False)
    assert summary.errors == [] and summary.written == len(INPUTS)
    return out


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_every_span_matches_its_field(written, path):
    data = json.loads((written / f"{path.stem}.json").read_text(encoding="utf-8"))
    text = (written / data["source"]["text_path"]).read_text(encoding="utf-8")
    checked = 0
    for item in data["items"]:
        start, end = item["spans"]["item"]
        assert 0 <= start < end <= len(text)
        for field in ("title", "case_number", "recommendation", "decision"):
            if item[field] is None:
                assert field not in item["spans"]
                continue
            s, e = item["spans"][field]
            assert start <= s < e <= end, f"{field} span outside its item"
            assert squash(text[s:e]) == item[field]
            checked += 1
    for field in ("committee",):
        if data[field]:
            s, e = data["spans"][field]
            assert squash(text[s:e]) == data[field]
    assert checked >= len(data["items"])
