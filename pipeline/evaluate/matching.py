"""Pairing predicted items with gold items, the basis of every item-level score.

Items are paired in document order (an order-preserving alignment that maximises the summed pair scores).
Two items with titles pair by title similarity. Where either has no title (a page that starts inside an item,
a layout that prints no headings) they pair by content: the same case number, or the same Indstilling or
Beslutning text; a gold item with no title and nothing else to compare pairs by position with an untitled item.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz

from pipeline.contract import ContractError, document_files, read_document
from pipeline.stages.pipeline import DocumentError
from pipeline.stages.text import tokens

TITLE_MATCH_MIN = 80.0
CONTENT_MATCH_MIN = 0.5
# An untitled gold item with no text to compare still pairs with an untitled prediction in its place.
POSITION_ONLY_SCORE = 0.2


def _title_key(title: str | None) -> str:
    return " ".join(tokens(title))


def overlap_f1(gold: str | None, pred: str | None) -> float:
    """Token F1 of two texts; 0 when either is missing."""
    g, p = tokens(gold), tokens(pred)
    common = sum((Counter(g) & Counter(p)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def content_score(gold: dict, pred: dict) -> float:
    """How surely two items are the same by what they contain (0 when nothing comparable agrees)."""
    scores = []
    if gold.get("case_number") and pred.get("case_number"):
        scores.append(0.9 if gold["case_number"] == pred["case_number"] else 0.0)
    for field in ("decision", "recommendation"):
        if gold.get(field):
            scores.append(overlap_f1(gold[field], pred.get(field)))
    if not scores:
        return POSITION_ONLY_SCORE if not gold.get("title") and not pred.get("title") else 0.0
    best = max(scores)
    return best if best >= CONTENT_MATCH_MIN else 0.0


def pair_score(gold: dict, pred: dict) -> float:
    if gold.get("title") and pred.get("title"):
        score = fuzz.ratio(_title_key(gold["title"]), _title_key(pred["title"]))
        return score / 100.0 if score >= TITLE_MATCH_MIN else 0.0
    return content_score(gold, pred)


def match_items(gold_items: list[dict], pred_items: list[dict]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, pred index) in document order with the highest summed score."""
    n, m = len(gold_items), len(pred_items)
    scores = [[pair_score(g, p) for p in pred_items] for g in gold_items]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = scores[i][j] + best[i + 1][j + 1] if scores[i][j] > 0 else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if scores[i][j] > 0 and abs(best[i][j] - (scores[i][j] + best[i + 1][j + 1])) < 1e-12:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def gold_item_pairs(gold_dir: Path, corpus_dir: Path, pipeline):
    """(gold document, processed Document, gold item, predicted Item) for every gold item the pipeline finds
    in the raw minutes the gold annotates."""
    files = document_files(gold_dir)
    if not files:
        raise ContractError(Path(gold_dir), "no gold JSON files")
    for gold_path in files:
        gold = read_document(gold_path)
        source = Path(corpus_dir) / gold["document"]
        if not source.exists():
            continue
        try:
            document = pipeline.process(source)
        except DocumentError:  # a page the pipeline cannot read or segment has no items to pair
            continue
        predicted = [item.to_json() for item in document.items]
        for gold_index, pred_index in match_items(gold["items"], predicted):
            yield gold, document, gold["items"][gold_index], document.items[pred_index]
