"""Topics: lexicon evidence from the taxonomy's seed terms (configs/topics.yaml). It is the rule baseline,
the weak labeller for unlabelled minutes, and a feature block of the learned topic model."""

from __future__ import annotations

import re

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.config import Taxonomy


def split_title(text: str) -> tuple[str, str]:
    """Model texts are "title\\n\\nbody"; the title is evidence of its own."""
    title, _, body = text.partition("\n\n")
    return title, body


class Lexicon:
    """Seed-term hits per topic: in the title, and per 100 words of the item."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.patterns = {
            t.label: re.compile(r"(?<![\wæøå])(?:" + "|".join(re.escape(term) for term in t.seed_terms) + ")", re.I)
            for t in taxonomy.topics
        }

    def evidence(self, text: str) -> dict[str, tuple[int, int, float]]:
        """label → (title hits, item hits, hits per 100 words)."""
        title, body = split_title(text)
        words = max(1, len((title + " " + body).split()))
        out = {}
        for label, pattern in self.patterns.items():
            in_title = len(pattern.findall(title))
            hits = in_title + len(pattern.findall(body))
            out[label] = (in_title, hits, 100.0 * hits / words)
        return out

    def substantial(self, text: str) -> list[str]:
        """Topics the text is substantially about by lexicon evidence alone (not a passing mention)."""
        rule = self.taxonomy.weak_label
        return [
            label
            for label, (in_title, hits, density) in self.evidence(text).items()
            if in_title or (hits >= rule.min_hits and density >= rule.min_hits_per_100_words)
        ]


class LexiconFeatures(BaseEstimator, TransformerMixin):
    """sklearn transformer: per topic [title hit, log hits, hits per 100 words, substantial by rule]."""

    def __init__(self, taxonomy: Taxonomy | None = None):
        self.taxonomy = taxonomy

    def fit(self, texts, y=None):
        return self

    def transform(self, texts) -> np.ndarray:
        lexicon = Lexicon(self.taxonomy)
        rows = []
        for text in texts:
            evidence = lexicon.evidence(text)
            substantial = set(lexicon.substantial(text))
            row = []
            for label in self.taxonomy.labels:
                in_title, hits, density = evidence[label]
                row += [float(in_title > 0), np.log1p(hits), min(density, 10.0) / 2.0, float(label in substantial)]
            rows.append(row)
        return np.asarray(rows, dtype=float)
