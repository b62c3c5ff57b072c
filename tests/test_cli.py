from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import ConfigError, load_pipeline_config
from tests.conftest import SAMPLE

runner = CliRunner()


def test_batch_goes_on_past_bad_files_and_exit_code_says_so(tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(SAMPLE, inputs)
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (inputs / "noise.html").write_text("<html><body><p>Velkommen</p></body></html>", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--no-models", str(inputs), "--out", str(out)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("empty.txt: empty file" in e for e in errors)
    assert any("junk.txt: binary file" in e for e in errors)
    assert any("noise.html: no agenda item found" in e for e in errors)
    assert sorted(p.name for p in out.glob("*.json")) == sorted(f"{p.stem}.json" for p in SAMPLE.iterdir())
    assert not list(out.rglob("*.tmp"))  # nothing half-written


def test_output_follows_the_gold_schema(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", "--no-models", str(SAMPLE / "punkt_referat.txt"), "--out", str(out)]).exit_code == 0
    data = json.loads((out / "punkt_referat.json").read_text(encoding="utf-8"))
    assert list(data)[:7] == ["document", "municipality", "committee", "meeting_date", "attendees", "absent", "items"]
    item = data["items"][0]
    for key in ("number", "title", "title_prefix", "case_number", "type", "topics", "recommendation", "decision",
                "outcome", "votes", "positions", "summary"):
        assert key in item
    assert item["topics"] == [] and item["votes"] == [] and item["positions"] == []
    assert item["summary"] == "Dagsordenen blev godkendt. Bent Sørensen havde meldt afbud."


def _predict(tmp_path) -> tuple[Path, Path]:
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    assert runner.invoke(app, ["run", "--no-models", str(SAMPLE), "--out", str(pred), "-q"]).exit_code == 0
    gold.mkdir()
    for path in pred.glob("*.json"):
        shutil.copy(path, gold / path.name)
    return gold, pred


def test_evaluate_scores_a_perfect_prediction_one_and_a_damaged_one_lower(tmp_path):
    gold, pred = _predict(tmp_path)
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred), "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 0, result.output
    assert not (pred / "metrics.json").exists()  # nothing is written into the predictions unless asked
    metrics = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert metrics["overall"]["items"]["f1"] == 1.0 and metrics["overall"]["decision_token_f1"] == 1.0

    damaged = json.loads((pred / "punkt_referat.json").read_text(encoding="utf-8"))
    damaged["items"] = damaged["items"][:-1]  # one item missed
    damaged["items"][0]["decision"] = "Udsat."
    damaged["meeting_date"] = "1999-01-01"
    (pred / "punkt_referat.json").write_text(json.dumps(damaged, ensure_ascii=False), encoding="utf-8")
    runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred), "--out", str(tmp_path / "m.json")])
    doc = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["per_document"]["punkt_referat"]
    assert doc["items"]["recall"] == pytest.approx(4 / 5) and doc["items"]["precision"] == 1.0
    assert doc["missed_items"] == ["Meddelelser"]
    assert doc["decision_token_f1"] < 1.0 and doc["metadata"]["meeting_date"] is False


def test_quality_gate_fails_below_threshold(tmp_path):
    gold, pred = _predict(tmp_path)
    strict = tmp_path / "gate.yaml"
    strict.write_text(
        "min_item_f1_per_document: 1.0\nmin_item_f1: 1.0\nmin_recommendation_token_f1: 1.0\n"
        "min_decision_token_f1: 1.0\nmin_meeting_date_accuracy: 1.0\nmin_municipality_accuracy: 1.0\n"
        "min_type_accuracy: 1.0\nmin_vote_f1: 1.0\nmin_position_f1: 1.0\nmin_rationale_token_f1: 1.0\n"
        "max_items_with_invented_dissent: 0\nmin_lomo_segment_item_f1: 1.0\nmin_lomo_type_macro_f1: 1.0\n"
        "min_lomo_topics_micro_f1: 1.0\n"
        "min_summary_rouge_l: 1.0\nmin_summary_within_60_words: 1.0\nmin_summary_grounded_numbers: 1.0\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred), "--gate", str(strict)]).exit_code == 0
    (pred / "web_export.json").unlink()
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred), "--gate", str(strict)])
    assert result.exit_code == 1 and "QUALITY GATE FAILED: item F1" in result.output


def test_invalid_config_names_the_file(tmp_path):
    bad = tmp_path / "pipeline.yaml"
    bad.write_text("ingest: {encodings: [cp1252]}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_pipeline_config(bad)
    assert str(bad) in str(err.value)


def test_help_follows_click_conventions_and_version_is_printed():
    result = runner.invoke(app, ["run", "--help"])
    assert "run [OPTIONS] INPUTS..." in result.output
    assert "<bool>" not in result.output and "<path>" not in result.output and "{inputs}" not in result.output
    assert "N|auto" in result.output
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("referat ")


def test_evaluate_without_predictions_is_one_error_line(tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / "empty"), "--pred", str(tmp_path / "empty")])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and result.output.startswith("error: ")


def test_resume_reports_no_rate_for_work_it_skipped(tmp_path):
    args = ["run", str(SAMPLE / "punkt_referat.txt"), "--out", str(tmp_path / "out"), "-q", "-w", "1", "--no-models"]
    first = runner.invoke(app, args)
    assert "1 file: 1 written" in first.output and "words/s, 1 worker)" in first.output
    again = runner.invoke(app, args + ["--resume"])
    assert "1 file: 1 written (1 already complete)" in again.output and "words/s" not in again.output


def test_console_script_is_installed():
    exe = Path(sys.executable).parent / "referat"
    result = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    assert "run" in result.stdout and "evaluate" in result.stdout
