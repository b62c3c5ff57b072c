"""The README's result tables are generated from the committed figures of the pipeline (metrics/*.json)."""

from __future__ import annotations

import json
import shutil

from pipeline.evaluate.tables import BLOCK, render
from tests.conftest import ROOT


def test_readme_tables_are_the_committed_figures():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = {m.group("name") for m in BLOCK.finditer(readme)}
    assert {"lomo", "curve", "models", "gold", "fresh"} <= names
    assert render(readme, ROOT / "metrics") == readme, \
        "README.md's tables differ from metrics/: run `python -m pipeline.evaluate.tables` after `make train`"


def test_a_changed_figure_changes_the_table(tmp_path):
    shutil.copytree(ROOT / "metrics", tmp_path / "metrics")
    lomo = json.loads((tmp_path / "metrics/lomo.json").read_text(encoding="utf-8"))
    lomo["item_f1"] = 0.123456
    (tmp_path / "metrics/lomo.json").write_text(json.dumps(lomo), encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "0.123" in render(readme, tmp_path / "metrics") and "0.123 (" not in readme
