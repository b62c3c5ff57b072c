"""Evaluate predictions against gold JSON (shared/gold/GUIDELINES.md), field by field.

Items are matched by title (fuzzy, one-to-one); every other item metric is computed over matched pairs.
Verbatim fields are scored by token F1 (SQuAD-style) over pairs where gold or prediction has text."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from .config import ITEM_TYPES, QualityGate, load_pipeline_config
from .text import tokens

TITLE_MATCH_MIN = 80.0


def token_f1(gold: str | None, pred: str | None) -> float:
    g, p = tokens(gold), tokens(pred)
    if not g and not p:
        return 1.0
    common = sum((Counter(g) & Counter(p)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def rouge_l(reference: str | None, candidate: str | None) -> float:
    """ROUGE-L F1 over Danish word tokens (lower-cased \\w+, so æ, ø and å are letters)."""
    ref, cand = tokens(reference), tokens(candidate)
    if not ref or not cand:
        return 0.0
    previous = [0] * (len(cand) + 1)
    for r in ref:
        current = [0]
        for j, c in enumerate(cand, start=1):
            current.append(previous[j - 1] + 1 if r == c else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    if not lcs:
        return 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    precision = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    recall = tp / n_gold if n_gold else (1.0 if not n_pred else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "n_pred": n_pred, "n_gold": n_gold}


def _title_key(title: str | None) -> str:
    return " ".join(tokens(title))


def match_items(gold_items: list[dict], pred_items: list[dict]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, pred index) by title similarity, best first; ties broken by position."""
    candidates = []
    for gi, g in enumerate(gold_items):
        for pi, p in enumerate(pred_items):
            score = fuzz.ratio(_title_key(g.get("title")), _title_key(p.get("title")))
            if score >= TITLE_MATCH_MIN:
                candidates.append((-score, abs(gi - pi), gi, pi))
    pairs, used_g, used_p = [], set(), set()
    for _, _, gi, pi in sorted(candidates):
        if gi not in used_g and pi not in used_p:
            pairs.append((gi, pi))
            used_g.add(gi)
            used_p.add(pi)
    return sorted(pairs)


def _set_f1(gold: list[str], pred: list[str]) -> float:
    g, p = set(gold), set(pred)
    return prf(len(g & p), len(p), len(g))["f1"]


def macro_f1(pairs: list[tuple[str, str]], labels: tuple[str, ...]) -> dict:
    per_label = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        per_label[label] = prf(tp, sum(1 for _, p in pairs if p == label), sum(1 for g, _ in pairs if g == label))
    present = [l for l in labels if per_label[l]["n_gold"] or per_label[l]["n_pred"]]
    macro = sum(per_label[l]["f1"] for l in present) / len(present) if present else 0.0
    return {"macro_f1": macro, "per_label": per_label}


@dataclass
class _Pair:
    document: str
    gold: dict
    pred: dict


def evaluate_dirs(gold_dir: Path, pred_dir: Path) -> dict:
    type_prefixes = load_pipeline_config().segment.type_prefixes
    per_document = {}
    pairs: list[_Pair] = []
    item_counts = Counter()
    meta_hits = Counter()
    errors = []
    item_errors: list[dict] = []
    grounded: list[bool] = []
    gold_files = sorted(Path(gold_dir).glob("*.json"))
    if not gold_files:
        raise FileNotFoundError(f"{gold_dir}: no gold JSON files")
    for gold_path in gold_files:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pred_path = Path(pred_dir) / f"{Path(gold.get('document') or gold_path.name).stem}.json"
        pred = json.loads(pred_path.read_text(encoding="utf-8")) if pred_path.exists() else None
        if pred is None:
            errors.append(f"{pred_path}: no prediction for {gold_path.name}")
            pred = {"items": []}
        matched = match_items(gold["items"], pred["items"])
        grounded.extend(_grounded_numbers(pred_path, pred))
        doc_pairs = [_Pair(gold_path.stem, gold["items"][gi], pred["items"][pi]) for gi, pi in matched]
        pairs.extend(doc_pairs)
        items = prf(len(matched), len(pred["items"]), len(gold["items"]))
        item_counts.update({"tp": len(matched), "n_pred": len(pred["items"]), "n_gold": len(gold["items"])})
        metadata = {
            field: gold.get(field) == pred.get(field) for field in ("municipality", "committee", "meeting_date")
        }
        metadata["attendees_f1"] = _set_f1(gold.get("attendees", []), pred.get("attendees", []))
        metadata["absent_f1"] = _set_f1(gold.get("absent", []), pred.get("absent", []))
        for field in ("municipality", "committee", "meeting_date"):
            meta_hits[field] += metadata[field]
        meta_hits["attendees_f1"] += metadata["attendees_f1"]
        meta_hits["absent_f1"] += metadata["absent_f1"]
        item_errors.extend(_item_errors(gold_path.stem, gold["items"], pred["items"], matched))
        per_document[gold_path.stem] = {
            "items": items,
            **_item_field_metrics(doc_pairs, type_prefixes),
            "metadata": metadata,
            "missed_items": [g["title"] for i, g in enumerate(gold["items"]) if i not in {gi for gi, _ in matched}],
            "spurious_items": [p["title"] for i, p in enumerate(pred["items"]) if i not in {pi for _, pi in matched}],
        }
    n_docs = len(gold_files)
    overall = {
        "documents": n_docs,
        "items": prf(item_counts["tp"], item_counts["n_pred"], item_counts["n_gold"]),
        "min_item_f1_per_document": min(d["items"]["f1"] for d in per_document.values()),
        **_item_field_metrics(pairs, type_prefixes),
        "metadata": {
            "municipality_accuracy": meta_hits["municipality"] / n_docs,
            "committee_accuracy": meta_hits["committee"] / n_docs,
            "meeting_date_accuracy": meta_hits["meeting_date"] / n_docs,
            "attendees_f1": meta_hits["attendees_f1"] / n_docs,
            "absent_f1": meta_hits["absent_f1"] / n_docs,
        },
    }
    overall["summary_grounded_numbers"] = sum(grounded) / len(grounded) if grounded else None
    overall["type_confusion"] = confusion([(p.gold.get("type"), p.pred.get("type")) for p in pairs], list(ITEM_TYPES))
    return {"overall": overall, "per_document": per_document, "errors": errors, "item_errors": item_errors}


def _grounded_numbers(pred_path: Path, pred: dict) -> list[bool]:
    """Per predicted item: does every number of its summary occur in the item's source text?"""
    from .summarize import ungrounded

    text_path = pred_path.parent / (pred.get("source", {}).get("text_path") or "")
    if not pred.get("items") or not text_path.is_file():
        return []
    text = text_path.read_text(encoding="utf-8")
    out = []
    for item in pred["items"]:
        start, end = item["spans"]["item"]
        out.append(not [w for w in ungrounded(item.get("summary") or "", text[start:end]) if w[:1].isdigit()])
    return out


COMPARED_FIELDS = ("type", "topics", "title_prefix", "case_number", "outcome", "recommendation", "decision", "votes",
                   "positions")


def _comparable(field: str, value):
    if field == "topics":
        return sorted(value or [])
    if field == "votes":
        return sorted((side, party) for v in value or [] for side in ("for", "against", "abstain") for party in v.get(side, []))
    if field == "positions":
        return sorted((p.get("party") or "", p.get("stance")) for p in value or [])
    return value


def _item_errors(document: str, gold_items: list[dict], pred_items: list[dict], matched) -> list[dict]:
    """Every matched item with a field that differs from gold, and every missed or spurious item."""
    out = []
    for gi, pi in matched:
        differing = {f: {"gold": gold_items[gi].get(f), "pred": pred_items[pi].get(f)} for f in COMPARED_FIELDS
                     if _comparable(f, gold_items[gi].get(f)) != _comparable(f, pred_items[pi].get(f))}
        if differing:
            out.append({"document": document, "kind": "field", "gold_index": gi, "pred_index": pi,
                        "title": gold_items[gi]["title"], "fields": differing})
    matched_gold, matched_pred = {gi for gi, _ in matched}, {pi for _, pi in matched}
    out += [{"document": document, "kind": "missed", "gold_index": gi, "pred_index": None, "title": g["title"],
             "fields": {}} for gi, g in enumerate(gold_items) if gi not in matched_gold]
    out += [{"document": document, "kind": "spurious", "gold_index": None, "pred_index": pi, "title": p["title"],
             "fields": {}} for pi, p in enumerate(pred_items) if pi not in matched_pred]
    return out


def confusion(pairs: list[tuple[str, str]], labels: list[str]) -> dict:
    """Counts of (gold, predicted) label pairs, rows gold, columns predicted."""
    return {"labels": labels, "matrix": [[sum(1 for g, p in pairs if g == a and p == b) for b in labels] for a in labels]}


def _item_field_metrics(pairs: list[_Pair], type_prefixes: dict[str, str]) -> dict:
    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    type_pairs = [(p.gold.get("type"), p.pred.get("type")) for p in pairs]
    prefixed = [p for p in pairs if p.pred.get("title_prefix") in type_prefixes]
    text_scores = {}
    for field in ("recommendation", "decision"):
        scored = [token_f1(p.gold.get(field), p.pred.get(field)) for p in pairs if p.gold.get(field) or p.pred.get(field)]
        text_scores[f"{field}_token_f1"] = mean(scored)
        text_scores[f"{field}_exact"] = mean(
            [float((p.gold.get(field) or None) == (p.pred.get(field) or None)) for p in pairs]
        )
    summaries = [p for p in pairs if p.gold.get("summary")]
    return {
        **_dissent_metrics(pairs),
        "topics": _topic_metrics(pairs),
        "summary_rouge_l": mean([rouge_l(p.gold["summary"], p.pred.get("summary")) for p in summaries]),
        "summary_within_60_words": mean([float(len((p.pred.get("summary") or "").split()) <= 60) for p in pairs]),
        "summary_mean_words": mean([float(len((p.pred.get("summary") or "").split())) for p in pairs]),
        "matched_items": len(pairs),
        "type_accuracy": mean([float(g == p) for g, p in type_pairs]),
        "type": macro_f1(type_pairs, ITEM_TYPES),
        "type_title_prefix_baseline": {
            "coverage": len(prefixed) / len(pairs) if pairs else None,
            "accuracy_where_printed": mean(
                [float(type_prefixes[p.pred["title_prefix"]] == p.gold.get("type")) for p in prefixed]
            ),
        },
        "title_prefix_accuracy": mean([float(p.gold.get("title_prefix") == p.pred.get("title_prefix")) for p in pairs]),
        "case_number_accuracy": mean([float(p.gold.get("case_number") == p.pred.get("case_number")) for p in pairs]),
        "number_accuracy": mean([float(p.gold.get("number") == p.pred.get("number")) for p in pairs]),
        "outcome_accuracy": mean([float(p.gold.get("outcome") == p.pred.get("outcome")) for p in pairs]),
        **text_scores,
    }


def _topic_metrics(pairs: list[_Pair]) -> dict:
    """Micro and per-label P/R/F1 of topics over matched items."""
    labels = sorted({t for p in pairs for t in (p.gold.get("topics") or []) + (p.pred.get("topics") or [])})
    per_label = {}
    for label in labels:
        gold = [label in (p.gold.get("topics") or []) for p in pairs]
        pred = [label in (p.pred.get("topics") or []) for p in pairs]
        per_label[label] = prf(sum(g and q for g, q in zip(gold, pred)), sum(pred), sum(gold))
    micro = prf(*(sum(m[k] for m in per_label.values()) for k in ("tp", "n_pred", "n_gold")))
    return {"micro": micro, "per_label": per_label}


def _dissent_metrics(pairs: list[_Pair]) -> dict:
    """Votes as (item, side, party), positions as (item, party, stance), parties as (item, party);
    rationales by token F1 over positions matched on (item, party, stance)."""

    def keyed(item_id, item: dict) -> tuple[set, set, set, dict]:
        votes = {(item_id, side, party) for v in item.get("votes", []) for side in ("for", "against", "abstain")
                 for party in v.get(side, [])}
        positions = {(item_id, p.get("party"), p.get("stance")) for p in item.get("positions", [])}
        parties = {(item_id, p.get("party")) for p in item.get("positions", [])}
        rationales = {(item_id, p.get("party"), p.get("stance")): p.get("rationale") for p in item.get("positions", [])}
        return votes, positions, parties, rationales

    sets = {name: [set(), set()] for name in ("votes", "positions", "parties")}
    rationale_scores, invented, dissent_items = [], 0, 0
    for index, pair in enumerate(pairs):
        item_id = (pair.document, index)
        gold, pred = keyed(item_id, pair.gold), keyed(item_id, pair.pred)
        for position, name in enumerate(("votes", "positions", "parties")):
            sets[name][0] |= gold[position]
            sets[name][1] |= pred[position]
        for key in gold[3].keys() & pred[3].keys():
            if gold[3][key] or pred[3][key]:
                rationale_scores.append(token_f1(gold[3][key], pred[3][key]))
        dissent_items += bool(gold[1])
        invented += bool(pred[1]) and not gold[1]
    out = {}
    for name, (gold_set, pred_set) in sets.items():
        out[f"{name}_f1"] = prf(len(gold_set & pred_set), len(pred_set), len(gold_set))
    out["rationale_token_f1"] = sum(rationale_scores) / len(rationale_scores) if rationale_scores else None
    out["items_with_dissent"] = dissent_items
    out["items_with_invented_dissent"] = invented
    return out


def headline_scores(metrics: dict) -> dict[str, float | None]:
    """One number per stage (for `dvc metrics show` and dashboards)."""
    o = metrics["overall"]
    return {
        "item_f1": o["items"]["f1"], "type_accuracy": o["type_accuracy"], "type_macro_f1": o["type"]["macro_f1"],
        "topics_micro_f1": o["topics"]["micro"]["f1"], "outcome_accuracy": o["outcome_accuracy"],
        "recommendation_token_f1": o["recommendation_token_f1"], "decision_token_f1": o["decision_token_f1"],
        "vote_f1": o["votes_f1"]["f1"], "position_f1": o["positions_f1"]["f1"],
        "rationale_token_f1": o["rationale_token_f1"], "summary_rouge_l": o["summary_rouge_l"],
        "summary_within_60_words": o["summary_within_60_words"],
        "summary_grounded_numbers": o["summary_grounded_numbers"],
        "meeting_date_accuracy": o["metadata"]["meeting_date_accuracy"],
        "municipality_accuracy": o["metadata"]["municipality_accuracy"],
    }


def check_gate(metrics: dict, gate: QualityGate) -> list[str]:
    """Failures of the quality gate, one line each; empty when every floor is met."""
    overall = metrics["overall"]
    checks = [
        ("item F1 (worst document)", overall["min_item_f1_per_document"], gate.min_item_f1_per_document),
        ("item F1", overall["items"]["f1"], gate.min_item_f1),
        ("recommendation token F1", overall["recommendation_token_f1"], gate.min_recommendation_token_f1),
        ("decision token F1", overall["decision_token_f1"], gate.min_decision_token_f1),
        ("meeting date accuracy", overall["metadata"]["meeting_date_accuracy"], gate.min_meeting_date_accuracy),
        ("municipality accuracy", overall["metadata"]["municipality_accuracy"], gate.min_municipality_accuracy),
        ("type accuracy", overall["type_accuracy"], gate.min_type_accuracy),
        ("vote F1", overall["votes_f1"]["f1"], gate.min_vote_f1),
        ("position F1", overall["positions_f1"]["f1"], gate.min_position_f1),
        ("rationale token F1", overall["rationale_token_f1"], gate.min_rationale_token_f1),
        ("summary ROUGE-L", overall["summary_rouge_l"], gate.min_summary_rouge_l),
        ("summaries within 60 words", overall["summary_within_60_words"], gate.min_summary_within_60_words),
        ("summaries with grounded numbers", overall["summary_grounded_numbers"], gate.min_summary_grounded_numbers),
        ("items with invented dissent (negated)", -overall["items_with_invented_dissent"], -gate.max_items_with_invented_dissent),
    ]
    # a metric with nothing to score (no gold rationale at all, say) is undefined, not failed
    return [f"{name} {value:.3f} < {floor:.3f}" for name, value, floor in checks if value is not None and value < floor]


def format_table(metrics: dict) -> str:
    rows = [("document", "items P", "items R", "items F1", "type acc", "rec F1", "dec F1", "date", "munic.")]
    def fmt(value) -> str:
        return "-" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))
    for name, doc in metrics["per_document"].items():
        rows.append((name, fmt(doc["items"]["precision"]), fmt(doc["items"]["recall"]), fmt(doc["items"]["f1"]),
                     fmt(doc["type_accuracy"]), fmt(doc["recommendation_token_f1"]), fmt(doc["decision_token_f1"]),
                     fmt(doc["metadata"]["meeting_date"]), fmt(doc["metadata"]["municipality"])))
    o = metrics["overall"]
    rows.append(("OVERALL", fmt(o["items"]["precision"]), fmt(o["items"]["recall"]), fmt(o["items"]["f1"]),
                 fmt(o["type_accuracy"]), fmt(o["recommendation_token_f1"]), fmt(o["decision_token_f1"]),
                 fmt(o["metadata"]["meeting_date_accuracy"]), fmt(o["metadata"]["municipality_accuracy"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    baseline = o["type_title_prefix_baseline"]
    lines.append(
        f"type macro-F1 {fmt(o['type']['macro_f1'])}; title-prefix baseline: accuracy "
        f"{fmt(baseline['accuracy_where_printed'])} on the {fmt(baseline['coverage'])} of items with a printed prefix; "
        f"outcome acc {fmt(o['outcome_accuracy'])}; case no. acc {fmt(o['case_number_accuracy'])}; "
        f"committee acc {fmt(o['metadata']['committee_accuracy'])}; attendees F1 {fmt(o['metadata']['attendees_f1'])}; "
        f"topics micro-F1 {fmt(o['topics']['micro']['f1'])}; "
        f"absent F1 {fmt(o['metadata']['absent_f1'])}\n"
        f"dissent: vote F1 {fmt(o['votes_f1']['f1'])}, position F1 {fmt(o['positions_f1']['f1'])}, "
        f"party F1 {fmt(o['parties_f1']['f1'])}, rationale token F1 {fmt(o['rationale_token_f1'])}; "
        f"{o['items_with_dissent']} items with dissent in gold, {o['items_with_invented_dissent']} with invented dissent"
    )
    return "\n".join(lines)


def gold_item_pairs(gold_dir: Path, corpus_dir: Path, pipeline):
    """(gold document, processed Document, gold item, predicted Item) for every gold item the pipeline finds
    in the raw minutes the gold annotates (matched by title)."""
    for gold_path in sorted(Path(gold_dir).glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        source = Path(corpus_dir) / gold["document"]
        if not source.exists():
            continue
        document = pipeline.process(source)
        predicted = [item.to_json() for item in document.items]
        for gold_index, pred_index in match_items(gold["items"], predicted):
            yield gold, document, gold["items"][gold_index], document.items[pred_index]


def summary_baselines(gold_dir: Path, corpus_dir: Path) -> dict:
    """Lead sentences, plain TextRank and the pipeline's summariser side by side on the gold summaries:
    ROUGE-L, share of summaries whose numbers all occur in the item, mean length, share within 60 words."""
    from .process import Pipeline
    from .summarize import LeadSummarizer, TextRankSummarizer, ungrounded

    pipeline = Pipeline(use_models=False)
    systems = {"lead": LeadSummarizer(), "textrank": TextRankSummarizer(), "referat": pipeline.summarizer}
    rows = {name: [] for name in systems}
    for _, document, gold_item, item in gold_item_pairs(gold_dir, corpus_dir, pipeline):
        start, end = item.spans["item"]
        text = document.source.text[start:end]
        for name, system in systems.items():
            summary = system.summarize(document, item).text
            numbers_ok = not [w for w in ungrounded(summary, text) if w[:1].isdigit()]
            rows[name].append((rouge_l(gold_item.get("summary"), summary), numbers_ok, len(summary.split())))
    return {
        name: {
            "items": len(values),
            "rouge_l": sum(v[0] for v in values) / len(values),
            "grounded_numbers": sum(v[1] for v in values) / len(values),
            "mean_words": sum(v[2] for v in values) / len(values),
            "within_60_words": sum(v[2] <= 60 for v in values) / len(values),
        }
        for name, values in rows.items() if values
    }
