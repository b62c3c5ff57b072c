"""Batch runs: parallel equals sequential, every input accounted for, resumable after kill -9 with
byte-identical output, bad inputs reported, export tables, and the Ray engine."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.synthetic_minutes import generate
from pipeline.run.batch import MANIFEST, load_manifest, run_batch
from tests.conftest import SAMPLE
from tests.pdf_factory import write_image_only_pdf, write_pdf

REFERAT = Path(sys.executable).parent / "referat"


def outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    generate(folder, 24, seed=7, words=1500)
    return folder


def test_parallel_output_equals_sequential(corpus, tmp_path):
    one = run_batch([corpus], tmp_path / "one", workers=1, use_models=False)
    two = run_batch([corpus], tmp_path / "two", workers=2, use_models=False)
    assert one.written == two.written == 24 and one.failed == two.failed == 0
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two")


def test_every_input_is_accounted_for_and_bad_inputs_are_reported(tmp_path):
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    for path in SAMPLE.iterdir():
        (inputs / path.name).write_bytes(path.read_bytes())
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "junk.txt").write_bytes(random.Random(1).randbytes(5000))
    write_image_only_pdf(inputs / "scan.pdf")
    good = write_pdf(tmp_path / "good.pdf", ["Punkt 1: Noget\nBeslutning\nGodkendt."] * 3)
    (inputs / "truncated.pdf").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    os.symlink(inputs, inputs / "sub" / "loop")  # a symlink loop in the input tree
    with open(inputs / "huge.txt", "wb") as handle:  # 100 MB, sparse: reported by size, never read
        handle.truncate(100 * 1024 * 1024)
    summary = run_batch([inputs], tmp_path / "out", workers=2, use_models=False)
    records = load_manifest(tmp_path / "out")
    failed = {Path(r.input).name: r.error for r in records.values() if r.status == "failed"}
    assert summary.documents == summary.written + summary.failed == len(records)
    assert summary.written == 5
    assert "empty file" in failed["empty.txt"] and "binary" in failed["junk.txt"]
    assert "no text layer" in failed["scan.pdf"] and "corrupt or truncated PDF" in failed["truncated.pdf"]
    assert "too large" in failed["huge.txt"]
    assert any("symlink loop" in (error or "") for error in failed.values())


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_reported(tmp_path):
    path = tmp_path / "in" / "locked.txt"
    path.parent.mkdir()
    path.write_text("Punkt 1: Noget\n\nBeslutning\n\nGodkendt.\n", encoding="utf-8")
    path.chmod(0)
    summary = run_batch([path.parent], tmp_path / "out", workers=1, use_models=False)
    assert summary.failed == 1 and "permission denied" in summary.errors[0]


def test_thousands_of_items(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("Referat Byrådet\n\n" + "".join(
        f"Punkt {n}: Sag nummer {n}\n\n20/{1000 + n}\n\nIndstilling\n\nat sagen godkendes.\n\nBeslutning\n\nGodkendt.\n\n"
        for n in range(1, 3001)), encoding="utf-8")
    summary = run_batch([path], tmp_path / "out", workers=1, use_models=False)
    data = json.loads((tmp_path / "out" / "long.json").read_text(encoding="utf-8"))
    assert summary.written == 1 and len(data["items"]) == 3000 and data["items"][-1]["case_number"] == "20/4000"


def test_mixed_encodings_are_repaired(tmp_path):
    path = tmp_path / "mixed.txt"
    utf8_part = "Punkt 1: Beslutning: Godkendelse af dagsorden\n\nIndstilling\n\nat dagsordenen godkendes.\n\n".encode()
    cp1252_part = "Beslutning\n\nGodkendt. Udvalget mødtes på Åbo Skole.\n".encode("cp1252")
    path.write_bytes(utf8_part + cp1252_part)
    run_batch([path], tmp_path / "out", workers=1, use_models=False)
    data = json.loads((tmp_path / "out" / "mixed.json").read_text(encoding="utf-8"))
    assert data["items"][0]["decision"] == "Godkendt. Udvalget mødtes på Åbo Skole."


def test_resume_redoes_only_what_is_missing_changed_or_broken(corpus, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in sorted(corpus.iterdir())[:6]:
        (inputs / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    run_batch([inputs], out, workers=1, use_models=False)
    names = sorted(p.stem for p in inputs.iterdir())
    (out / f"{names[0]}.json").unlink()  # missing output
    (out / f"{names[1]}.json").write_text('{"items": [', encoding="utf-8")  # torn output
    changed = inputs / sorted(p.name for p in inputs.iterdir())[2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # changed input
    summary = run_batch([inputs], out, workers=1, use_models=False, resume=True)
    assert (summary.written, summary.resumed, summary.failed) == (6, 3, 0)
    assert json.loads((out / f"{names[1]}.json").read_text(encoding="utf-8"))["items"]


def test_killed_runs_resume_to_byte_identical_output(corpus, tmp_path):
    reference = tmp_path / "reference"
    run_batch([corpus], reference, workers=2, use_models=False)
    out = tmp_path / "killed"
    rng = random.Random(3)
    command = [str(REFERAT), "run", str(corpus), "--out", str(out), "--workers", "2", "--no-models", "--quiet", "--resume"]
    for _ in range(4):  # kill -9 at random points, then resume
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(1.5, 4.0))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert outputs(out) == outputs(reference)
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".*.tmp"))
    last = load_manifest(out)
    assert len(last) == 24 and all(r.status == "written" for r in last.values())


def test_no_worker_outlives_a_killed_parent(tmp_path):
    import psutil

    big = tmp_path / "big"
    generate(big, 300, seed=11)
    command = [str(REFERAT), "run", str(big), "--out", str(tmp_path / "out"), "--workers", "2", "--no-models", "-q"]
    parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = tmp_path / "out" / MANIFEST
    deadline = time.time() + 120
    while time.time() < deadline and not (manifest.exists() and manifest.stat().st_size):
        time.sleep(0.2)  # the workers are up and working
    workers = psutil.Process(parent.pid).children(recursive=True)
    assert len(workers) >= 2 and parent.poll() is None
    parent.send_signal(signal.SIGKILL)  # the parent alone, as a scheduler that kills the job's main process
    parent.wait()
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, f"workers left behind: {[p.pid for p in alive]}"


def test_export_tables_and_dataset(tmp_path):
    import datetime

    import datasets
    import pyarrow.parquet as pq

    from pipeline.run.export import export

    run_batch([SAMPLE], tmp_path / "out", workers=1, use_models=False)
    counts, errors = export(tmp_path / "out", tmp_path / "export")
    assert not errors and counts == {"meetings": 5, "items": 16, "dissent": 4}
    items = pq.read_table(tmp_path / "export" / "items.parquet").to_pylist()
    # documents are named as the report names them; every row says where and when
    assert {"punkt_referat", "web_export"} <= {row["document"] for row in items}
    assert all(row["municipality"] and row["committee"] and isinstance(row["meeting_date"], datetime.date)
               for row in items)
    assert all(0 <= row["item_start"] < row["item_end"] for row in items)
    dissent = pq.read_table(tmp_path / "export" / "dissent.parquet").to_pylist()
    assert {(r["kind"], r["party"] or "") for r in dissent} >= {("position", "Ø"), ("vote", "")}
    assert all(r["municipality"] and r["meeting_date"] for r in dissent)

    # the Hugging Face dataset: one configuration per table, municipality-disjoint splits, typed features
    hf = tmp_path / "export" / "hf"
    assert "configs:" in (hf / "README.md").read_text(encoding="utf-8")
    loaded = datasets.load_dataset(str(hf), "items")
    assert set(loaded) == {"train", "validation", "test"} and sum(s.num_rows for s in loaded.values()) == 16
    features = loaded["train"].features
    assert isinstance(features["type"], datasets.ClassLabel) and features["type"].names[0] == "Beslutning"
    assert isinstance(features["topics"].feature, datasets.ClassLabel) and features["meeting_date"].dtype == "date32"
    seen = [{row["municipality"] for row in loaded[split]} for split in ("train", "validation", "test")]
    assert all(seen) and not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2])
    dissent_hf = datasets.load_dataset(str(hf), "dissent")
    assert isinstance(dissent_hf["train"].features["stance"], datasets.ClassLabel)


def test_export_of_a_folder_without_run_outputs_is_one_error(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "metrics.json").write_text('{"overall": {}}', encoding="utf-8")
    result = CliRunner().invoke(app, ["export", str(tmp_path / "notes"), "--out", str(tmp_path / "export")])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and result.output.startswith("error: ")
    assert not list((tmp_path / "export").glob("*.parquet")) if (tmp_path / "export").exists() else True


def test_ray_engine_matches_local(corpus, tmp_path):
    pytest.importorskip("ray")
    small = tmp_path / "in"
    small.mkdir()
    for path in sorted(corpus.iterdir())[:4]:
        (small / path.name).write_bytes(path.read_bytes())
    local = run_batch([small], tmp_path / "local", workers=1, use_models=False)
    on_ray = run_batch([small], tmp_path / "ray", workers=2, use_models=False, engine="ray")
    assert on_ray.written == local.written == 4 and on_ray.documents == len(load_manifest(tmp_path / "ray"))
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "local")
    import ray

    ray.shutdown()  # the private local Ray of this run; the cluster tests start their own


def test_export_marks_low_confidence_items_for_review():
    from pipeline.config import ReviewConfig
    from pipeline.run.export import rows

    item = {"number": 1, "title": "T", "title_prefix": None, "case_number": None, "type": "Beslutning",
            "topics": [], "recommendation": None, "decision": None, "outcome": None, "summary": "", "votes": [],
            "positions": [], "provenance": {"type": "model:type@x"}, "confidence": {"type": 0.41, "segment": 0.9}}
    document = {"document": "d.txt", "municipality": None, "committee": None, "meeting_date": None,
                "attendees": [], "absent": [], "items": [item, {**item, "number": 2, "confidence": {"type": 0.95}},
                                                          {**item, "number": 3, "confidence": {}}]}
    flagged = rows(document, "d", ReviewConfig(type_confidence=0.6))["items"]
    assert [row["needs_review"] for row in flagged] == [True, False, False]
    assert flagged[0]["review_reasons"] == ["type confidence 0.41 < 0.6"]
    assert not any(row["needs_review"] for row in rows(document, "d", ReviewConfig(type_confidence=0.4))["items"])


def test_profile_shows_where_the_time_went(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["run", str(SAMPLE), "--out", str(tmp_path / "out"), "-q", "-w", "1",
                                      "--no-models", "--profile"])
    assert result.exit_code == 0, result.output
    stages = ("ingest", "segment", "metadata", "type (rules)", "dissent", "summarize", "write")
    table = result.output[result.output.index("\nstage "):]
    assert all(f"\n{stage} " in table for stage in stages) and "all stages (CPU seconds)" in table
    records = load_manifest(tmp_path / "out").values()
    assert all(set(stages) <= set(r.seconds) and all(v >= 0 for v in r.seconds.values()) for r in records)
