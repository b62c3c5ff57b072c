"""Text classifiers behind one interface (fit / predict_proba / save / load), exclusive or multi-label:
scikit-learn (the fast default), spaCy textcat trained with `spacy train` from a .cfg, and transformers
sequence classification fine-tuned from a local checkpoint directory (never downloaded)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from pipeline.config import CONFIG_DIR, Taxonomy


class TextClassifier:
    """fit(texts, labels) where labels are strings (exclusive) or lists of strings (multi-label);
    predict_proba(texts) gives an (n, len(labels)) array; no state beyond what fit learns."""

    backend = "base"

    def __init__(self, multilabel: bool = False, **params):
        self.multilabel = multilabel
        self.params = params
        self.labels: list[str] = []
        self.temperature = 1.0  # set by fit_temperature on held-out predictions; 1.0 leaves them as the model says

    def _label_matrix(self, labels) -> np.ndarray:
        if self.multilabel:
            return np.array([[float(l in row) for l in self.labels] for row in labels])
        return np.array([self.labels.index(l) for l in labels])

    def _set_labels(self, labels, known: list[str] | None = None) -> None:
        found = {l for row in labels for l in row} if self.multilabel else set(labels)
        self.labels = sorted(found | set(known or []))

    def predict(self, texts: list[str], thresholds: dict[str, float] | None = None):
        """Labels with their probabilities: argmax for exclusive, per-label thresholds for multi-label."""
        probabilities = self.predict_proba(texts)
        if not self.multilabel:
            probabilities = scale_temperature(probabilities, self.temperature)
            return [(self.labels[int(row.argmax())], float(row.max())) for row in probabilities]
        thresholds = thresholds or {}
        return [
            [(l, float(p)) for l, p in zip(self.labels, row) if p >= thresholds.get(l, 0.5)] for row in probabilities
        ]

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        meta = {"backend": self.backend, "multilabel": self.multilabel, "labels": self.labels,
                "temperature": self.temperature,
                "params": {k: v for k, v in self.params.items() if k != "taxonomy"}}
        (path / "classifier.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        self._save(path)

    @staticmethod
    def load(path: Path, taxonomy: Taxonomy | None = None) -> "TextClassifier":
        meta = json.loads((Path(path) / "classifier.json").read_text(encoding="utf-8"))
        cls = BACKENDS[meta["backend"]]
        model = cls(multilabel=meta["multilabel"], **meta["params"], **({"taxonomy": taxonomy} if cls is SklearnClassifier else {}))
        model.labels = meta["labels"]
        model.temperature = meta.get("temperature", 1.0)
        model._load(Path(path))
        return model


def linear_proba(head, X) -> np.ndarray:
    """predict_proba of a fitted LogisticRegression (or one-vs-rest of them) as its own arithmetic: X·coefᵀ +
    intercept, then softmax (multinomial) or the logistic function, as scikit-learn computes them, without its
    per-call input checks (a third of the time on one document's items)."""
    from scipy.special import expit
    from sklearn.utils.extmath import safe_sparse_dot, softmax

    if hasattr(head, "estimators_"):  # one-vs-rest: each label's own logistic regression, P(yes)
        return np.column_stack([linear_proba(estimator, X)[:, 1] for estimator in head.estimators_])
    scores = safe_sparse_dot(X, head.coef_.T, dense_output=True) + head.intercept_
    if head.coef_.shape[0] == 1:  # two classes: the logistic function of the one score
        p = expit(scores.ravel())
        return np.column_stack([1 - p, p])
    return softmax(scores, copy=False)


def scale_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax of log-probabilities divided by the temperature: > 1 softens overconfident answers, the
    ranking (and so the predicted label) never changes."""
    if temperature == 1.0:
        return probabilities
    logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


def fit_temperature(probabilities: np.ndarray, gold: list[int]) -> float:
    """The temperature that minimises the negative log-likelihood of held-out predictions (Guo et al. 2017)."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(gold))

    def loss(temperature: float) -> float:
        return -np.log(np.clip(scale_temperature(probabilities, temperature)[rows, gold], 1e-12, 1.0)).mean()

    return float(minimize_scalar(loss, bounds=(0.05, 20.0), method="bounded").x) if len(gold) else 1.0


class SklearnClassifier(TextClassifier):
    """Word and character TF-IDF plus an evidence block (topics: the taxonomy's seed-term evidence; type: the
    rule baseline's verdicts) into logistic regression; `evidence_weight` scales the evidence block."""

    backend = "sklearn"

    def __init__(self, multilabel=False, taxonomy: Taxonomy | None = None, C: float = 4.0, max_features: int = 50000,
                 evidence_weight: float = 3.0, char_ngrams: bool = True, **params):
        super().__init__(multilabel, C=C, max_features=max_features, evidence_weight=evidence_weight,
                         char_ngrams=char_ngrams, **params)
        self.taxonomy = taxonomy
        self.model = None

    def _build(self):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import FeatureUnion, make_pipeline

        blocks = [("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True,
                                            max_features=self.params["max_features"]))]
        weights = {"words": 1.0}
        if self.params["char_ngrams"]:  # robust to inflection and OCR noise, but the slowest block to compute
            blocks.append(("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1, sublinear_tf=True,
                                                    max_features=self.params["max_features"])))
            weights["chars"] = 1.0
        if self.multilabel and self.taxonomy is not None:
            from pipeline.stages.topics import LexiconFeatures

            blocks.append(("evidence", LexiconFeatures(self.taxonomy)))
            weights["evidence"] = self.params["evidence_weight"]
        elif not self.multilabel and self.params["evidence_weight"]:
            from pipeline.stages.classify import RuleClassifier, RuleFeatures
            from pipeline.config import load_pipeline_config

            config = load_pipeline_config()
            blocks.append(("evidence", RuleFeatures(RuleClassifier(config.classify, config.segment))))
            weights["evidence"] = self.params["evidence_weight"]
        linear = LogisticRegression(C=self.params["C"], class_weight="balanced", max_iter=2000)
        head = OneVsRestClassifier(linear) if self.multilabel else linear
        return make_pipeline(FeatureUnion(blocks, transformer_weights=weights), head)

    def fit(self, texts, labels, known_labels: list[str] | None = None):
        self._set_labels(labels, known_labels)
        y = self._label_matrix(labels)
        self.model = self._build()
        if self.multilabel:
            # a label with no positive example still gets a column (always 0)
            present = y.sum(axis=0) > 0
            self._columns = np.flatnonzero(present)
            if not present.any():  # nothing to learn: every label stays at probability 0
                self.model = None
                return self
            self.model.fit(texts, y[:, present])
        else:
            self.model.fit(texts, y)
        return self

    def _head_proba(self, texts) -> np.ndarray:
        """The fitted pipeline's predict_proba, with the feature union's blocks stacked here: the same matrix
        (each block times its weight, side by side), without joblib's per-call set-up, which cost more than
        the features themselves on one document's items."""
        from scipy import sparse
        from sklearn import config_context

        union, head = self.model.steps[0][1], self.model.steps[-1][1]
        weights = union.transformer_weights or {}
        # the model was validated when it was fitted and loaded: per-call parameter checks only cost time
        with config_context(assume_finite=True, skip_parameter_validation=True):
            blocks = []
            for name, block in union.transformer_list:
                features = block.transform(texts)
                blocks.append(features * weights[name] if name in weights else features)
            return linear_proba(head, sparse.hstack(blocks, format="csr"))

    def predict_proba(self, texts) -> np.ndarray:
        if not self.multilabel:
            out = np.zeros((len(texts), len(self.labels)))
            out[:, self.model.classes_] = self._head_proba(texts)
            return out
        out = np.zeros((len(texts), len(self.labels)))
        if self.model is None:
            return out
        probabilities = self._head_proba(texts)
        # with a single label column sklearn answers as a binary problem: [P(no), P(yes)]
        out[:, self._columns] = probabilities[:, -len(self._columns):]
        return out

    def _evidence(self):
        return self.model.steps[0][1].transformer_list[-1][1] if self.model is not None else None

    def _save(self, path: Path) -> None:
        """Numbers and words only, no pickle: loading cannot run code. The fitted state of this model is the
        n-gram vocabularies (vocabulary.json, terms in column order), the inverse document frequencies and the
        logistic regressions' weights (weights.npz, read without pickle); everything else is the structure
        `_build` makes from the parameters in classifier.json, and the evidence block's rules or taxonomy come
        from the configuration in force when the model is loaded."""
        arrays: dict[str, np.ndarray] = {}
        terms: dict[str, list[str]] = {}
        if self.model is not None:
            for name, block in self.model.steps[0][1].transformer_list:
                if hasattr(block, "vocabulary_"):
                    terms[name] = sorted(block.vocabulary_, key=block.vocabulary_.__getitem__)
                    arrays[f"{name}.idf"] = block.idf_
            head = self.model.steps[-1][1]
            estimators = head.estimators_ if hasattr(head, "estimators_") else [head]
            for index, estimator in enumerate(estimators):
                arrays[f"head.{index}.coef"] = estimator.coef_
                arrays[f"head.{index}.intercept"] = estimator.intercept_
                arrays[f"head.{index}.classes"] = estimator.classes_
            arrays["head.one_vs_rest"] = np.array(hasattr(head, "estimators_"))
            if getattr(self, "_columns", None) is not None:
                arrays["columns"] = np.asarray(self._columns)
        with open(path / "weights.npz", "wb") as handle:
            np.savez_compressed(handle, **arrays)
        (path / "vocabulary.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")

    def _load(self, path: Path) -> None:
        from sklearn.linear_model import LogisticRegression

        with np.load(path / "weights.npz", allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        self._columns = arrays.get("columns")
        if not any(key.startswith("head.") and key != "head.one_vs_rest" for key in arrays):
            self.model = None  # a multi-label model that had nothing to learn
            return
        self.model = self._build()
        terms = json.loads((path / "vocabulary.json").read_text(encoding="utf-8"))
        for name, block in self.model.steps[0][1].transformer_list:
            if name in terms:
                block.vocabulary_ = {term: index for index, term in enumerate(terms[name])}
                block.fixed_vocabulary_ = False
                block.idf_ = arrays[f"{name}.idf"]

        def regression(index: int) -> LogisticRegression:
            estimator = LogisticRegression(C=self.params["C"], class_weight="balanced", max_iter=2000)
            estimator.coef_ = arrays[f"head.{index}.coef"]
            estimator.intercept_ = arrays[f"head.{index}.intercept"]
            estimator.classes_ = arrays[f"head.{index}.classes"]
            estimator.n_features_in_ = estimator.coef_.shape[1]
            return estimator

        count = sum(1 for key in arrays if key.endswith(".coef"))
        head = self.model.steps[-1][1]
        if bool(arrays["head.one_vs_rest"]):
            head.estimators_ = [regression(index) for index in range(count)]
            head.classes_ = np.arange(count)
        else:
            self.model.steps[-1] = (self.model.steps[-1][0], regression(0))


class SpacyClassifier(TextClassifier):
    """spaCy textcat (exclusive) or textcat_multilabel, trained with `spacy train` from a config in configs/."""

    backend = "spacy"

    def __init__(self, multilabel=False, config: str | None = None, max_epochs: int = 20, seed: int = 0, **params):
        config = config or str(CONFIG_DIR / ("spacy_textcat_multilabel.cfg" if multilabel else "spacy_textcat.cfg"))
        super().__init__(multilabel, config=config, max_epochs=max_epochs, seed=seed, **params)
        self.nlp = None

    def _docbin(self, texts, labels, path: Path) -> None:
        import spacy
        from spacy.tokens import DocBin

        nlp = spacy.blank("da")
        docs = DocBin()
        for text, label in zip(texts, labels):
            doc = nlp.make_doc(text)
            chosen = set(label) if self.multilabel else {label}
            doc.cats = {l: float(l in chosen) for l in self.labels}
            docs.add(doc)
        docs.to_disk(path)

    def fit(self, texts, labels, known_labels: list[str] | None = None):
        from spacy.cli.train import train

        self._set_labels(labels, known_labels)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            self._docbin(texts, labels, tmp / "train.spacy")
            self._docbin(texts, labels, tmp / "dev.spacy")  # dev only drives checkpoint choice; scores come from CV
            with contextlib.redirect_stdout(io.StringIO()):  # spaCy's training table; scores come from CV
                train(
                    self.params["config"], tmp / "out",
                    overrides={"paths.train": str(tmp / "train.spacy"), "paths.dev": str(tmp / "dev.spacy"),
                               "training.max_epochs": self.params["max_epochs"], "system.seed": self.params["seed"]},
                )
            self._model_dir = tempfile.mkdtemp(prefix="referat-spacy-")
            shutil.copytree(tmp / "out" / "model-last", self._model_dir, dirs_exist_ok=True)
        self._load_nlp(Path(self._model_dir))
        return self

    def _load_nlp(self, path: Path) -> None:
        import spacy

        self.nlp = spacy.load(path)

    def predict_proba(self, texts) -> np.ndarray:
        return np.array([[doc.cats.get(l, 0.0) for l in self.labels] for doc in self.nlp.pipe(texts)])

    def _save(self, path: Path) -> None:
        self.nlp.to_disk(path / "spacy")

    def _load(self, path: Path) -> None:
        self._load_nlp(path / "spacy")


class TransformersClassifier(TextClassifier):
    """AutoModelForSequenceClassification fine-tuned from a local checkpoint directory (a Danish BERT, say)."""

    backend = "transformers"

    def __init__(self, multilabel=False, checkpoint: str | None = None, epochs: int = 4, learning_rate: float = 5e-5,
                 batch_size: int = 8, max_length: int = 256, seed: int = 0, **params):
        super().__init__(multilabel, checkpoint=checkpoint, epochs=epochs, learning_rate=learning_rate,
                         batch_size=batch_size, max_length=max_length, seed=seed, **params)
        self.model = self.tokenizer = None

    def fit(self, texts, labels, known_labels: list[str] | None = None):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        checkpoint = self.params["checkpoint"]
        if not checkpoint or not Path(checkpoint).is_dir():
            raise FileNotFoundError(f"transformers checkpoint directory not found: {checkpoint!r} (no downloads)")
        torch.manual_seed(self.params["seed"])
        self._set_labels(labels, known_labels)
        self.tokenizer = AutoTokenizer.from_pretrained(checkpoint, local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(
            checkpoint, local_files_only=True, num_labels=len(self.labels),
            problem_type="multi_label_classification" if self.multilabel else "single_label_classification",
            id2label=dict(enumerate(self.labels)), label2id={l: i for i, l in enumerate(self.labels)},
            ignore_mismatched_sizes=True,
        )
        y = torch.tensor(self._label_matrix(labels), dtype=torch.float if self.multilabel else torch.long)
        optimizer = torch.optim.AdamW(self.model.parameters(), lr=self.params["learning_rate"])
        generator = torch.Generator().manual_seed(self.params["seed"])
        self.model.train()
        for _ in range(self.params["epochs"]):
            for batch in torch.randperm(len(texts), generator=generator).split(self.params["batch_size"]):
                encoded = self._encode([texts[i] for i in batch])
                loss = self.model(**encoded, labels=y[batch]).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        self.model.eval()
        return self

    def _encode(self, texts):
        return self.tokenizer(texts, truncation=True, max_length=self.params["max_length"], padding=True,
                              return_tensors="pt")

    def predict_proba(self, texts) -> np.ndarray:
        import torch

        rows = []
        with torch.no_grad():
            for start in range(0, len(texts), 32):
                logits = self.model(**self._encode(texts[start : start + 32])).logits
                rows.append(torch.sigmoid(logits) if self.multilabel else torch.softmax(logits, dim=-1))
        return torch.cat(rows).numpy() if rows else np.zeros((0, len(self.labels)))

    def _save(self, path: Path) -> None:
        self.model.save_pretrained(path / "transformers")
        self.tokenizer.save_pretrained(path / "transformers")

    def _load(self, path: Path) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path / "transformers", local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(path / "transformers", local_files_only=True)
        self.model.eval()


BACKENDS = {cls.backend: cls for cls in (SklearnClassifier, SpacyClassifier, TransformersClassifier)}
