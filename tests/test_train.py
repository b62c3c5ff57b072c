"""The training job end to end on our sample minutes: leave-one-municipality-out, model card, MLflow run,
and the pipeline using the trained model with its version and confidence."""

from __future__ import annotations

import json
import shutil

import pytest

from pipeline.config import ModelPaths, load_pipeline_config
from pipeline.stages.labels import ItemLabeller
from pipeline.run.batch import run_batch
from pipeline.stages.pipeline import Pipeline
from pipeline.learn.train import TrainConfig, train
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def labelled_sample(tmp_path_factory):
    """Our sample minutes as a corpus, with the rule pipeline's output standing in for gold."""
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(SAMPLE, root / "corpus")
    assert run_batch([root / "corpus"], root / "gold", workers=1, use_models=False).failed == 0
    return root


@pytest.mark.parametrize("task", ["type", "topics"])
def test_train_logs_a_reproducible_run(labelled_sample, tmp_path, monkeypatch, task):
    import mlflow

    tracking = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking)
    monkeypatch.setenv("DVC_EXP_NAME", "exp-test")
    monkeypatch.chdir(tmp_path)  # artefacts land beside the tracking database
    config = TrainConfig(task=task, backend="sklearn", params={"C": 4.0},
                         data={"gold": [{"gold_dir": str(labelled_sample / "gold"), "corpus_dir": str(labelled_sample / "corpus")}]},
                         output=str(tmp_path / "models" / task), experiment=f"test-{task}")
    card = train(config, cv="lomo", data_dir=tmp_path / "training-data" / task)

    out = tmp_path / "models" / task
    assert (out / "classifier.json").exists() and (out / "MODEL_CARD.md").exists()
    data = tmp_path / "training-data" / task
    assert (data / "items.parquet").exists() and (data / "dataset").is_dir() and not (out / "data").exists()
    saved = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert saved["data"]["version"] == card["data"]["version"] and saved["metrics"]["cv"] == "lomo"
    assert set(saved["metrics"]["folds"]) == {"Gladsaxe", "Vejle", "Favrskov", "Randers", "Svendborg"}
    assert {"scikit-learn", "python"} <= set(saved["libraries"])
    if task == "type":
        assert (out / "confusion.png").stat().st_size > 1000
        assert 0.0 <= saved["metrics"]["macro_f1"] <= 1.0

    mlflow.set_tracking_uri(tracking)
    runs = mlflow.search_runs(experiment_names=[f"test-{task}"], output_format="list")
    assert len(runs) == 1
    logged = runs[0]
    assert logged.data.params["backend"] == "sklearn" and logged.data.params["task"] == task
    assert logged.data.tags["data_version"] == card["data"]["version"]
    assert logged.data.tags["dvc_experiment"] == "exp-test" and logged.data.tags["model_version"] == card["version"]
    assert "train_seconds" in logged.data.metrics
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(logged.info.run_id, "model")}
    assert "model/classifier.json" in artifacts


def test_pipeline_uses_trained_models_and_records_version_and_confidence(labelled_sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for task in ("type", "topics"):
        train(TrainConfig(task=task, backend="sklearn", params={},
                          data={"gold": [{"gold_dir": str(labelled_sample / "gold"), "corpus_dir": str(labelled_sample / "corpus")}]},
                          output=str(tmp_path / task), experiment="unused"), cv=None, log_to_mlflow=False)
    pipeline = Pipeline(use_models=False)
    pipeline.labeller = ItemLabeller(ModelPaths(type=str(tmp_path / "type"), topics=str(tmp_path / "topics")),
                                     load_pipeline_config())
    document = pipeline.process(SAMPLE / "punkt_referat.txt")
    item = document.items[1]
    assert item.provenance["type"].startswith("model:type@") and item.provenance["topics"].startswith("model:topics@")
    assert 0.0 <= item.confidence["type"] <= 1.0
    assert set(item.confidence["topics"]) == {"integration", "sygedagpenge", "frikommune"}
