"""The annotation loop: run output → Label Studio tasks → annotations → gold files that train and evaluate."""

from __future__ import annotations

import copy
import json
import os
import shutil
import socket
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import CONFIG_DIR, ReviewConfig
from pipeline.evaluate.score import evaluate_dirs
from pipeline.learn.label_studio import AnnotationError, labelling_config, task_to_gold
from pipeline.run.batch import run_batch
from pipeline.run.review import select, tasks, vocabulary
from tests.conftest import SAMPLE

runner = CliRunner()
ITEM_FIELDS = ("number", "title", "title_prefix", "case_number", "type", "topics", "recommendation", "decision",
               "outcome", "summary")
META_FIELDS = ("document", "municipality", "committee", "meeting_date", "attendees", "absent")


def gold_view(document: dict) -> dict:
    """A run's document reduced to the gold schema (what annotation can change)."""
    return {**{k: document[k] for k in META_FIELDS}, "items": [
        {**{k: item[k] for k in ITEM_FIELDS},
         "votes": [{k: v[k] for k in ("motion", "for", "against", "abstain", "result")} for v in item["votes"]],
         "positions": [{k: p[k] for k in ("party", "members", "stance", "rationale")} for p in item["positions"]]}
        for item in document["items"]]}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("annotations") / "out"
    assert run_batch([SAMPLE], out, workers=1, use_models=False).failed == 0
    return out


@pytest.fixture(scope="module")
def task_list(run) -> list[dict]:
    chosen, errors = select(run, "random", 10, ReviewConfig(), seed=1)
    assert not errors and len(chosen) == 5
    return tasks(run, chosen)


def test_round_trip_gives_back_the_predictions(run, task_list, tmp_path):
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(task_list, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["import-annotations", str(path), "--out", str(tmp_path / "gold")])
    assert result.exit_code == 0, result.output
    assert "5 gold documents" in result.output
    with_dissent = 0
    for task in task_list:
        gold = json.loads((tmp_path / "gold" / f"{task['data']['task']}.json").read_text(encoding="utf-8"))
        predicted = json.loads((run / f"{task['data']['task']}.json").read_text(encoding="utf-8"))
        assert gold == gold_view(predicted)
        with_dissent += any(item["positions"] for item in gold["items"])
    assert with_dissent  # the round trip covered dissent, not only items
    # the imported gold scores the predictions it came from as perfect
    metrics = evaluate_dirs(tmp_path / "gold", run)
    assert metrics["overall"]["items"]["f1"] == 1.0 and metrics["overall"]["positions_f1"]["f1"] == 1.0


def _annotated(task: dict, edit) -> dict:
    """The task as Label Studio exports it after a person corrected the prediction with `edit`."""
    result = copy.deepcopy(task["predictions"][0]["result"])
    edit(result)
    return {**task, "annotations": [{"id": 1, "updated_at": "2026-11-30T10:00:00Z", "result": result}]}


def _find(result: list[dict], region_id: str, name: str) -> dict:
    return next(r for r in result if r["id"] == region_id and r["from_name"] == name)


def test_a_corrected_export_changes_exactly_the_corrected_fields(task_list):
    task = next(t for t in task_list if t["data"]["task"] == "punkt_referat")
    before = task_to_gold(task, vocabulary())

    def edit(result):
        _find(result, "item-1", "type")["value"]["choices"] = ["Drøftelse"]  # a type corrected
        decision = _find(result, "item-0-decision", "span")["value"]  # a decision span shortened to its first word
        decision["end"] = decision["start"] + task["data"]["text"][decision["start"]:].index(" ")
        _find(result, "meta-committee", "committee")["value"]["text"] = ["Børne- og Ungeudvalget"]

    after = task_to_gold(_annotated(task, edit), vocabulary())
    changed = {(i, k) for i, (a, b) in enumerate(zip(before["items"], after["items"])) for k in a if a[k] != b[k]}
    assert changed == {(1, "type"), (0, "decision")}
    assert after["items"][1]["type"] == "Drøftelse" and after["committee"] == "Børne- og Ungeudvalget"
    assert {k for k in META_FIELDS if before[k] != after[k]} == {"committee"}


def test_annotations_are_validated(task_list):
    task = next(t for t in task_list if any(r["from_name"] == "party" for r in t["predictions"][0]["result"]))

    def bad_party(result):
        next(r for r in result if r["from_name"] == "party")["value"]["choices"] = ["Ω"]

    def long_summary(result):
        _find(result, "item-0", "summary")["value"]["text"] = ["ord " * 61]

    def bad_vote(result):
        region = _find(result, "item-0", "number")
        result.append({**region, "from_name": "votes", "type": "textarea",
                       "value": {**region["value"], "text": ["indstillingen | A | Ø"]}})

    for edit, message in ((bad_party, "party 'Ω'"), (long_summary, "61 words"), (bad_vote, "needs 5 fields")):
        with pytest.raises(AnnotationError, match=message):
            task_to_gold(_annotated(task, edit), vocabulary())


def test_import_reports_bad_tasks_and_files(task_list, tmp_path):
    broken = copy.deepcopy(task_list[:2])
    result = broken[0]["predictions"][0]["result"]
    item = _find(result, "item-0", "span")["value"]
    result.append({"id": "x", "from_name": "span", "to_name": "text", "type": "labels",
                   "value": {"start": item["start"], "end": item["end"], "labels": ["Dissent"]}})
    result.append({"id": "x", "from_name": "party", "to_name": "text", "type": "choices",
                   "value": {"start": item["start"], "end": item["end"], "choices": ["Ω"]}})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = runner.invoke(app, ["import-annotations", str(path), "--out", str(tmp_path / "gold")])
    assert result.exit_code == 1 and f"error: {path}: " in result.output and "1 gold documents written" in result.output
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["import-annotations", str(path), "--out", str(tmp_path / "gold")])
    assert result.exit_code == 2 and "not valid JSON" in result.output and "Traceback" not in result.output


def test_selection_strategies(run, tmp_path):
    documents = json.loads((run / "punkt_referat.json").read_text(encoding="utf-8"))
    documents["items"][0]["confidence"] = {"type": 0.21}
    shutil.copytree(run, tmp_path / "out")
    (tmp_path / "out" / "punkt_referat.json").write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    chosen, _ = select(tmp_path / "out", "least-confident", 2, ReviewConfig(type_confidence=0.6))
    assert chosen[0].path.name == "punkt_referat.json"
    assert chosen[0].reasons == ["item 1: type confidence 0.21 < 0.6"]
    first, _ = select(run, "random", 3, ReviewConfig(), seed=7)
    again, _ = select(run, "random", 3, ReviewConfig(), seed=7)
    assert [c.path for c in first] == [c.path for c in again]
    named, _ = select(run, "least-confident", 5, ReviewConfig(), documents=["web_export"])
    assert [c.path.name for c in named] == ["web_export.json"]
    result = runner.invoke(app, ["review", str(run), str(tmp_path / "t.json"), "--select", "sideways"])
    assert result.exit_code == 2 and "unknown selection" in result.output


def test_labelling_config_is_current_and_names_every_control(task_list):
    shipped = (CONFIG_DIR / "label_studio.xml").read_text(encoding="utf-8")
    assert shipped == labelling_config(vocabulary()), "run `python -m pipeline.run.review` and commit the config"
    root = ElementTree.fromstring(shipped)
    names = {element.get("name") for element in root.iter() if element.get("name")}
    used = {r["from_name"] for t in task_list for r in t["predictions"][0]["result"]}
    assert used <= names, used - names
    labels = {element.get("value") for element in root.iter("Label")}
    assert {v for t in task_list for r in t["predictions"][0]["result"] if r["type"] == "labels"
            for v in r["value"]["labels"]} <= labels


# ------------------------------------------------------------------------------------ a live Label Studio


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which("label-studio") is None,
                    reason="Label Studio is not installed (pip install label-studio) — the live round trip is skipped")
def test_live_label_studio_round_trip(task_list, tmp_path):
    import requests

    port, user, password = _free_port(), "test@example.org", "referat-test-pw"
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(tmp_path / "ls"), "LABEL_STUDIO_USERNAME": user,
           "LABEL_STUDIO_PASSWORD": password, "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true"}
    server = subprocess.Popen(["label-studio", "start", "--no-browser", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, session = f"http://127.0.0.1:{port}", requests.Session()
    try:
        for _ in range(180):
            try:
                if session.get(f"{base}/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(1)
        # log in as a person would (the session cookie), then use the REST API with the CSRF token
        session.get(f"{base}/user/login/", timeout=30)
        login = session.post(f"{base}/user/login/", timeout=30, headers={"Referer": f"{base}/user/login/"},
                             data={"email": user, "password": password,
                                   "csrfmiddlewaretoken": session.cookies.get("csrftoken")})
        assert login.ok, login.text
        session.headers.update({"X-CSRFToken": session.cookies.get("csrftoken"), "Referer": base})
        project = session.post(f"{base}/api/projects", timeout=30, json={
            "title": "referat", "label_config": (CONFIG_DIR / "label_studio.xml").read_text(encoding="utf-8")})
        assert project.ok, project.text
        project_id = project.json()["id"]
        imported = session.post(f"{base}/api/projects/{project_id}/import", json=task_list, timeout=60)
        assert imported.ok, imported.text
        export_url = f"{base}/api/projects/{project_id}/export?exportType=JSON&download_all_tasks=true"
        stored = session.get(export_url, timeout=60).json()
        assert len(stored) == len(task_list)
        # a person accepts each pre-annotation, correcting one item's type in one document
        ours = {t["data"]["task"]: t for t in task_list}
        for task in stored:
            result = copy.deepcopy(ours[task["data"]["task"]]["predictions"][0]["result"])
            if task["data"]["task"] == "punkt_referat":
                _find(result, "item-1", "type")["value"]["choices"] = ["Drøftelse"]
            annotated = session.post(f"{base}/api/tasks/{task['id']}/annotations", json={"result": result}, timeout=30)
            assert annotated.ok, annotated.text
        back = {t["data"]["task"]: task_to_gold(t, vocabulary()) for t in session.get(export_url, timeout=60).json()}
        expected = {name: task_to_gold(task, vocabulary()) for name, task in ours.items()}
        expected["punkt_referat"]["items"][1]["type"] = "Drøftelse"
        assert back == expected
    finally:
        server.terminate()
        server.wait(timeout=30)
