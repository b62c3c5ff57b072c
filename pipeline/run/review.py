"""`referat review`: which documents of a run people should annotate first, as Label Studio tasks.

- least-confident: documents ranked by their least confident item (calibrated type probability, segmenter start
  probability), lowest first — the examples the models are least sure about;
- disagreement: documents with the most items where the rule baseline's type differs from the model's;
- random: a seeded random sample, the control that keeps the gold representative."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import CONFIG_DIR, ReviewConfig, load_dissent_config, load_pipeline_config, load_taxonomy
from pipeline.contract import ContractError, document_files, read_document, text_path_of
from pipeline.learn.label_studio import Vocabulary, document_task, labelling_config
from pipeline.records import Item
from pipeline.run.export import review_reasons
from pipeline.stages.classify import RuleClassifier

STRATEGIES = ("least-confident", "disagreement", "random")


@dataclass
class Candidate:
    path: Path
    document: dict
    text: str
    score: float
    reasons: list[str]


def vocabulary() -> Vocabulary:
    """Topics from configs/topics.yaml; party letters: every ballot letter (local lists take free ones)."""
    dissent = load_dissent_config()
    letters = list(dict.fromkeys([*dissent.parties, *dissent.ballot_letters, *dissent.local_lists]))
    return Vocabulary(topics=load_taxonomy().labels, parties=letters)


def task_id(pred_dir: Path, path: Path) -> str:
    """A task's id: the document's output path under the run folder, without .json (unique in the run)."""
    return path.relative_to(pred_dir).with_suffix("").as_posix()


def _least_confidence(document: dict) -> float:
    scores = [value for item in document["items"] for key, value in (item.get("confidence") or {}).items()
              if key in ("type", "segment") and isinstance(value, (int, float))]
    return min(scores, default=1.0)


def _disagreements(document: dict, rules: RuleClassifier) -> list[str]:
    found = []
    for item in document["items"]:
        if not str((item.get("provenance") or {}).get("type", "")).startswith("model:"):
            continue
        rule_type = rules.item_type(Item.from_json(item))[0]
        if rule_type != item["type"]:
            found.append(f"item {item['number']}: model says {item['type']}, rules say {rule_type}")
    return found


def select(pred_dir: Path, strategy: str, n: int, review: ReviewConfig, seed: int = 0,
           documents: list[str] | None = None) -> tuple[list[Candidate], list[str]]:
    """Up to n documents of the run in pred_dir by the strategy (or the named ones), and errors for files left out."""
    if strategy not in STRATEGIES:
        raise ContractError(Path(strategy), f"unknown selection; choose one of {', '.join(STRATEGIES)}")
    config = load_pipeline_config()
    rules = RuleClassifier(config.classify, config.segment)
    candidates, errors = [], []
    for path in document_files(pred_dir):
        try:
            document = read_document(path)
        except ContractError as err:
            errors.append(str(err))
            continue
        name = task_id(pred_dir, path)
        if documents and name not in documents and document["document"] not in documents:
            continue
        text_path = Path(pred_dir) / (text_path_of(document) or "")
        if not text_path.is_file():
            errors.append(f"{path}: its normalised text is missing ({text_path}); run `referat run` again")
            continue
        reasons = [f"item {item['number']}: {reason}" for item in document["items"]
                   for reason in review_reasons(item.get("confidence") or {}, review)]
        if strategy == "least-confident":
            score = _least_confidence(document)
        elif strategy == "disagreement":
            disagreements = _disagreements(document, rules)
            reasons += disagreements
            score = -len(disagreements)
        else:
            score = 0.0
        candidates.append(Candidate(path, document, text_path.read_text(encoding="utf-8"), score, reasons))
    if strategy == "random":
        random.Random(seed).shuffle(candidates)
    else:
        candidates.sort(key=lambda c: (c.score, str(c.path)))
    if strategy == "disagreement":
        candidates = [c for c in candidates if c.score < 0]
    return candidates[:n], errors


def tasks(pred_dir: Path, chosen: list[Candidate]) -> list[dict]:
    return [document_task(c.document, c.text, task_id(pred_dir, c.path), c.reasons) for c in chosen]


LABELLING_CONFIG = CONFIG_DIR / "label_studio.xml"

if __name__ == "__main__":  # regenerate configs/label_studio.xml after the taxonomy or the party letters change
    LABELLING_CONFIG.write_text(labelling_config(vocabulary()), encoding="utf-8")
    print(f"wrote {LABELLING_CONFIG}")
