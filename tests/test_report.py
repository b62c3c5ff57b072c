"""The HTML report, rendered in headless Chromium (Debian's package): what a researcher sees."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.evaluate.score import evaluate_dirs
from pipeline.run.batch import run_batch
from pipeline.evaluate.report import write_report
from tests.conftest import ROOT, SAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTEFACTS = ROOT / "build" / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """Predictions on the samples, against a 'gold' that differs in known places."""
    root = tmp_path_factory.mktemp("report")
    assert run_batch([SAMPLE], root / "pred", workers=1, use_models=False).failed == 0
    (root / "gold").mkdir()
    for path in (root / "pred").glob("*.json"):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if path.stem == "punkt_referat":
            gold["items"][1]["type"] = "Drøftelse"  # a type error
            gold["items"].append(dict(gold["items"][0], title="Et punkt som pipelinen overså"))  # a missed item
        (root / "gold" / path.name).write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    metrics = evaluate_dirs(root / "gold", root / "pred")
    curve = {"version": "segment@test", "item_f1": 0.8, "points": [{"municipalities": 0, "item_f1": 0.6, "sd": 0.0},
                                                                    {"municipalities": 4, "item_f1": 0.75, "sd": 0.05}]}
    calibration = {"version": "type@test", "ece": 0.04, "ece_uncalibrated": 0.09,
                   "bins": [{"low": 0.5, "high": 0.6, "n": 3, "confidence": 0.55, "accuracy": 0.33},
                            {"low": 0.9, "high": 1.0, "n": 12, "confidence": 0.95, "accuracy": 0.92}]}
    return write_report(metrics, root / "pred", root / "report.html", learning_curve=curve, calibration=calibration,
                        in_sample=["segment trained on data/sample_gold"])


def test_report_is_self_contained_and_lists_errors_with_source(report):
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)=["']https?:""", page) and "<script src" not in page  # nothing fetched
    # confusion, type F1, topic F1, item F1, learning curve, reliability diagram
    assert page.count("data:image/png;base64,") == 6
    assert "type reliability diagram" in page and "type@test" in page and "0.04" in page
    # support beside every overall figure
    assert "<th>support (n)</th>" in page and "16 gold, 16 predicted" not in page and " gold, " in page
    # generalisation: a row per municipality (the samples are five), and the segmenter's learning curve
    assert "<h2>Per municipality</h2>" in page and all(m in page for m in ("Favrskov", "Vejle", "Randers"))
    assert "segmenter learning curve" in page and "segment@test" in page
    # per-document error count links to the document's errors; each error opens to the difference and source
    assert "<a href='#errors-punkt_referat'>2</a>" in page and "id='errors-punkt_referat'" in page
    error = re.search(r"<details class='error'[^>]*><summary>.*?Status på affaldsplanen.*?</details>", page, re.S)
    assert error and "<del>Drøftelse</del>" in error.group(0) and "<ins>Orientering</ins>" in error.group(0)
    assert "<pre class='source'>" in error.group(0) and "madaffald" in error.group(0)
    assert "Et punkt som pipelinen overså" in page
    assert "class='banner'" in page and "In-sample figures" in page


def test_difference_marks_what_only_one_side_has():
    from pipeline.evaluate.report import difference

    assert difference("at planen godkendes", "at planen ikke godkendes") == "at planen <ins>ikke</ins> godkendes"
    marked = difference([{"party": "Ø", "stance": "against"}], [])
    assert marked.startswith("<del>") and "Ø" in marked and "<ins>" not in marked


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs it)")
def test_report_renders_in_chromium_and_its_filter_works(report, tmp_path):
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    dom = subprocess.run([CHROMIUM, *FLAGS, *profile, "--dump-dom", report.as_uri()], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert "referat evaluation report" in dom and "Per document" in dom
    assert re.search(r"<td>punkt_referat</td>", dom)
    assert dom.count("<details class=\"error\"") == 2  # the type error and the missed item
    # the filter, client-side: only the missed item is shown for kind=missed (its state is in the fragment)
    filtered = subprocess.run([CHROMIUM, *FLAGS, *profile, "--dump-dom", report.as_uri() + "#kind=missed"],
                              capture_output=True, text=True, timeout=120, check=True).stdout
    shown = re.findall(r'<details class="error"[^>]*>', filtered)
    assert len(shown) == 2 and sum("hidden" not in tag for tag in shown) == 1
    assert 'id="shown">1<' in filtered
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTEFACTS / "report.png"
    subprocess.run([CHROMIUM, *FLAGS, *profile, "--window-size=1280,1800", f"--screenshot={screenshot}",
                    report.as_uri()], capture_output=True, timeout=120, check=True)
    import matplotlib.image

    pixels = matplotlib.image.imread(screenshot)
    assert pixels.shape[0] == 1800 and pixels.std() > 0.05  # a page with content, not a blank render
