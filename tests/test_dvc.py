"""The DVC pipeline is the training and evaluation pipeline of the shipped models: on a copy of the project
pointed at our small sample data, `dvc repro` runs every stage, a second one runs none, a changed training
parameter reruns only what depends on it, and `dvc exp run -S` gives an experiment `dvc exp show` compares,
logged to MLflow under its name."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
PROJECT = ["pipeline", "configs", "data", "dvc.yaml", "params.yaml", ".dvcignore", ".dvc/config", ".dvc/.gitignore",
           "pyproject.toml"]
SAMPLE = {"gold_dir": "data/sample_gold", "corpus_dir": "data/sample"}


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The project with every data folder pointing at data/sample, small training settings, low floors."""
    root = tmp_path_factory.mktemp("project")
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / name)
    _edit(root / "params.yaml", lambda p: p.update(data={k: "data/sample_gold" if k in ("real", "real_docs", "gold",
                                                                                          "sample_gold") else "data/sample"
                                                         for k in p["data"]}))
    _edit(root / "configs/train_segment.yaml", lambda c: c.update(
        gold=[SAMPLE], synthetic={"documents": 4, "seed": 0, "rerendered_per_municipality": 0},
        learning_curve=[0, 2], learning_curve_repeats=1, params={"c1": 0.05, "c2": 0.01, "max_iterations": 30}))
    for task in ("type", "topics"):
        _edit(root / f"configs/train_{task}.yaml", lambda c: c["data"].update(gold=[SAMPLE], weak_inputs=[]))
    _edit(root / "configs/quality_gate.yaml", lambda g: g.update({k: 0 for k in g}))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def _env(project: Path) -> dict:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1",
            "MLFLOW_TRACKING_URI": f"sqlite:///{project / 'mlflow.db'}"}


def dvc(project: Path, *args: str) -> str:
    result = subprocess.run([str(BIN / "dvc"), *args], cwd=project, env=_env(project), capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def repro(project: Path) -> list[str]:
    return re.findall(r"Running stage '([^']+)'", dvc(project, "repro"))


def test_params_name_the_folders_the_training_configs_read():
    data = set(yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["data"].values())
    for task in ("segment", "type", "topics"):
        config = yaml.safe_load((ROOT / f"configs/train_{task}.yaml").read_text(encoding="utf-8"))
        sources = config["gold"] if task == "segment" else config["data"]["gold"]
        assert {s[k] for s in sources for k in ("gold_dir", "corpus_dir")} <= data, task


def test_repro_trains_the_shipped_models_then_nothing_then_only_what_a_parameter_touches(project):
    assert sorted(repro(project)) == ["gate", "lomo", "segmenter", "topics", "type"]
    for name in ("segment", "type", "topics"):
        assert (project / "models" / name / "model_card.json").is_file()
    figures = json.loads((project / "metrics/segment.json").read_text(encoding="utf-8"))
    assert 0.0 <= figures["item_f1"] <= 1.0 and "curve_00" in figures
    assert (project / "build/lomo/report.html").is_file() and (project / "metrics/gold.json").is_file()

    assert repro(project) == []

    _edit(project / "configs/train_topics.yaml", lambda c: c["params"].update(C=2.0))
    assert sorted(repro(project)) == ["gate", "topics"]

    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "baseline"], cwd=project,
                   check=True)
    dvc(project, "exp", "run", "-n", "topics-c4", "-S", "configs/train_topics.yaml:params.C=4.0")
    shown = json.loads(dvc(project, "exp", "show", "--json"))
    assert "topics-c4" in json.dumps(shown) and "micro_f1" in json.dumps(shown)

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{project / 'mlflow.db'}")
    runs = mlflow.search_runs(experiment_names=["referat-topics"], output_format="list")
    assert "topics-c4" in {r.data.tags.get("dvc_experiment") for r in runs}
