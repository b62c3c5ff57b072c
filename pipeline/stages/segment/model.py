"""The line labeller: a linear-chain CRF (CRFsuite, L-BFGS with L1 + L2 penalties) over a document's lines.

It learns, from the line features of features.py and the line labels derived from gold (learn/line_labels.py),
which line starts an item, which is its title, which are section headings; the transitions between labels
carry the layout's grammar (a title is followed by a case number or a section, a Beslutning heading by its
text). Saved as CRFsuite's own binary model file (no pickle) with a JSON card of its labels and parameters.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

MODEL_FILE = "lines.crfsuite"
META_FILE = "labeller.json"


class LineLabeller:
    """fit(X, y) / predict(X) like a scikit-learn estimator; X is a list of documents, each a list of lines,
    each a list of binary feature names; y the matching line labels."""

    def __init__(self, c1: float = 0.05, c2: float = 0.01, max_iterations: int = 150, min_feature_freq: int = 1):
        self.params = {"c1": c1, "c2": c2, "max_iterations": max_iterations, "min_feature_freq": min_feature_freq}
        self.model_bytes: bytes | None = None
        self._tagger = None

    def fit(self, X: list[list[list[str]]], y: list[list[str]]) -> "LineLabeller":
        import pycrfsuite

        trainer = pycrfsuite.Trainer(verbose=False)
        for features, labels in zip(X, y):
            trainer.append(features, labels)
        trainer.set_params({
            "c1": self.params["c1"], "c2": self.params["c2"], "max_iterations": self.params["max_iterations"],
            "feature.minfreq": self.params["min_feature_freq"], "feature.possible_transitions": True,
        })
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / MODEL_FILE
            trainer.train(str(path))
            self.model_bytes = path.read_bytes()
        self._tagger = None
        return self

    @property
    def tagger(self):
        if self._tagger is None:
            import pycrfsuite

            if self.model_bytes is None:
                raise ValueError("the line labeller is not fitted")
            self._tagger = pycrfsuite.Tagger()
            self._tagger.open_inmemory(self.model_bytes)
        return self._tagger

    @property
    def labels(self) -> list[str]:
        return list(self.tagger.labels())

    def predict_one(self, features: list[list[str]]) -> tuple[list[str], list[dict[str, float]]]:
        """The most likely labels of one document's lines, and every label's marginal probability per line."""
        if not features:
            return [], []
        tagger = self.tagger
        labels = tagger.tag(features)
        names = tagger.labels()
        return labels, [{name: tagger.marginal(name, index) for name in names} for index in range(len(labels))]

    def predict(self, X: list[list[list[str]]]) -> list[list[str]]:
        return [self.predict_one(features)[0] for features in X]

    def save(self, path: Path, card: dict | None = None) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / MODEL_FILE).write_bytes(self.model_bytes)
        meta = {"params": self.params, "labels": self.labels, **(card or {})}
        (path / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "LineLabeller":
        path = Path(path)
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        labeller = cls(**meta["params"])
        labeller.model_bytes = (path / MODEL_FILE).read_bytes()
        return labeller

    @staticmethod
    def exists(path: Path | None) -> bool:
        return bool(path) and (Path(path) / MODEL_FILE).is_file() and (Path(path) / META_FILE).is_file()
