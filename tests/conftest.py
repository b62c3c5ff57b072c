from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_pipeline_config
from pipeline.stages.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline(use_models=False)  # hermetic: trained models in models/ must not change test outcomes


@pytest.fixture(scope="session")
def config():
    return load_pipeline_config()


def shared_corpus() -> list[Path]:
    return sorted((SHARED / "corpus").glob("*")) if (SHARED / "corpus").is_dir() else []
