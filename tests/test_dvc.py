"""The DVC pipeline: `dvc repro` on a fresh copy runs every stage; a second one runs none; changing one
parameter reruns only the stages that depend on it. Every run logs to MLflow."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
PROJECT = ["pipeline", "configs", "data", "dvc.yaml", "params.yaml", ".dvcignore", ".dvc/config", ".dvc/.gitignore"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project")
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / name)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def repro(project: Path) -> list[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "MLFLOW_TRACKING_URI": f"sqlite:///{project / 'mlflow.db'}", "DVC_NO_ANALYTICS": "1"}
    result = subprocess.run([str(BIN / "dvc"), "repro"], cwd=project, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return re.findall(r"Running stage '([^']+)'", result.stdout)


def test_repro_runs_everything_then_nothing_then_only_what_a_parameter_touches(project):
    assert repro(project) == ["ingest", "segment", "train@type", "train@topics", "predict", "evaluate", "report"]
    assert (project / "build/pipeline/report.html").exists() and (project / "build/pipeline/scores.json").exists()
    assert {p.name for p in (project / "build/pipeline/plots").iterdir()} == {"type_confusion.json", "per_label_f1.json"}

    assert repro(project) == []

    params = project / "params.yaml"
    text = params.read_text(encoding="utf-8")
    topics_c = text.index("  topics:\n    C: 4.0")
    params.write_text(text[:topics_c] + text[topics_c:].replace("C: 4.0", "C: 2.0", 1), encoding="utf-8")
    assert repro(project) == ["train@topics", "predict", "evaluate", "report"]

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{project / 'mlflow.db'}")
    runs = mlflow.search_runs(experiment_names=["referat-pipeline"], output_format="list")
    assert len(runs) == 2 and {r.data.params["train.topics.C"] for r in runs} == {"4.0", "2.0"}
    assert all("item_f1" in "".join(r.data.metrics) or "items.f1" in r.data.metrics for r in runs)
    artifacts = mlflow.MlflowClient().list_artifacts(runs[0].info.run_id)
    assert [a.path for a in artifacts] == ["report.html"]
