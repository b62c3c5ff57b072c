"""Item type and outcome, rule baselines: from the printed type word, the Indstilling wording and the
decision text. A later stage replaces the type rules with trained models; these stay as the baseline."""

from __future__ import annotations

import re

from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.config import ClassifyConfig, SegmentConfig
from pipeline.records import Item


# An Indstilling's clauses start with "at" ("1. at ...", "..., og at ..."); an infinitive after a preposition
# ("fortsætter med at følge", "til at") does not start one.
CLAUSE_SPLIT = re.compile(r"(?:^|\s)(?:\d{1,2}[.)]\s*)?(?=\b[Aa]t\s)")
INFINITIVE_BEFORE = re.compile(r"\b(?:med|til|for|ved|uden|om|end|af|på|efter|mod|i stand til)\s*$", re.I)


def clauses_of(recommendation: str) -> list[str]:
    clauses: list[str] = []
    for piece in CLAUSE_SPLIT.split(recommendation):
        if clauses and INFINITIVE_BEFORE.search(clauses[-1]):
            clauses[-1] = f"{clauses[-1]} {piece}"
        elif piece.strip():
            clauses.append(piece)
    return clauses


class RuleClassifier:
    def __init__(self, config: ClassifyConfig, segment_config: SegmentConfig):
        self.type_prefixes = segment_config.type_prefixes
        self.announcement_res = [re.compile(p, re.I) for p in segment_config.announcement_titles]
        self.orientation_res = [re.compile(p, re.I) for p in config.orientation_patterns]
        self.discussion_res = [re.compile(p, re.I) for p in config.discussion_patterns]
        self.outcome_res = {k: [re.compile(p, re.I) for p in v] for k, v in config.outcome_patterns.items()}
        self.counter_proposal_re = re.compile(config.counter_proposal_pattern, re.I)
        self.nothing_res = [re.compile(p, re.I) for p in config.nothing_patterns]

    def item_type(self, item: Item) -> tuple[str, str]:
        """The type and the rule that gave it. Content (the Indstilling) outranks the printed prefix."""
        if item.recommendation:
            return self.type_from_recommendation(item.recommendation), "indstilling"
        title = item.title or ""
        if any(p.search(title) for p in self.announcement_res):
            return "Meddelelser", "announcement_title"
        if item.title_prefix:
            return self.type_prefixes[item.title_prefix], "title_prefix"
        if re.match(r"^godkendelse\b", title, re.I):
            return "Beslutning", "title_godkendelse"
        if item.decision:
            outcome = self.outcome(item.decision)
            if outcome in ("noted",):
                return "Orientering", "decision"
            if outcome == "discussed":
                return "Drøftelse", "decision"
        return "Beslutning", "default"

    def type_from_prefix(self, item: Item) -> str | None:
        return self.type_prefixes.get(item.title_prefix) if item.title_prefix else None

    def type_from_recommendation(self, recommendation: str) -> str:
        """Each 'at ...' clause is an orientation, a discussion or a decision; one decision clause makes the
        item a Beslutning ("1. at drøfte ... 2. at godkende ..." is decided)."""
        clauses = clauses_of(recommendation)
        kinds = set()
        for clause in clauses or [recommendation]:
            if any(p.search(clause) for p in self.orientation_res):
                kinds.add("Orientering")
            elif any(p.search(clause) for p in self.discussion_res):
                kinds.add("Drøftelse")
            else:
                kinds.add("Beslutning")
        for kind in ("Beslutning", "Drøftelse", "Orientering"):
            if kind in kinds:
                return kind
        return "Beslutning"

    def outcome(self, decision: str | None) -> str:
        """The strongest outcome cue among the decision's sentences; sentences about a counter-proposal
        ("Forslaget blev ikke godkendt") say nothing about the main motion and are read only as a last resort."""
        if not decision:
            return "none"
        if any(p.search(decision.strip()) for p in self.nothing_res):
            return "none"
        sentences = re.split(r"(?<=[.!?])\s+", decision)
        main = [s for s in sentences if not self.counter_proposal_re.search(s)]
        for group in (main, sentences):
            for outcome, patterns in self.outcome_res.items():
                if any(p.search(s) for s in group for p in patterns):
                    return outcome
        return "noted"

    def classify(self, item: Item) -> None:
        item.type, rule = self.item_type(item)
        item.provenance["type"] = f"rules:{rule}"
        item.outcome = self.outcome(item.decision)
        item.provenance["outcome"] = "rules"


class RuleFeatures(BaseEstimator, TransformerMixin):
    """sklearn transformer: the rule baseline's type and outcome, one-hot, as features of a learned model
    (the model learns how far to trust each rule per municipality's wording)."""

    def __init__(self, rules: "RuleClassifier | None" = None):
        self.rules = rules

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        import numpy as np

        from pipeline.config import ITEM_TYPES, OUTCOMES
        from pipeline.stages.item_text import parse_type_text

        rows = []
        for text in texts:
            item = parse_type_text(text)
            kind, rule = self.rules.item_type(item)
            outcome = self.rules.outcome(item.decision)
            rows.append([float(kind == t) for t in ITEM_TYPES] + [float(outcome == o) for o in OUTCOMES]
                        + [float(item.recommendation is None), float(rule == "announcement_title")])
        return np.asarray(rows)
