"""Evaluate predictions against gold JSON (shared/gold/GUIDELINES.md), field by field, per document, per
municipality and overall.

Items are paired in document order by title, or by content where a title is missing (matching.py); every
other item metric is computed over paired items. A null gold value means "cannot be judged from this text"
(pages cut mid-item) and is never scored. Verbatim fields are scored by token F1 (SQuAD-style)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import ITEM_TYPES, QualityGate, load_pipeline_config
from pipeline.contract import ContractError, document_files, read_document, text_path_of
from pipeline.evaluate.matching import gold_item_pairs, match_items
from pipeline.stages.text import tokens

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


def calibration(confidences: list[float], correct: list[bool], bins: int = 10) -> dict:
    """Expected calibration error (bin-size-weighted gap between confidence and accuracy over equal-width
    confidence bins) and the bins themselves, for a reliability diagram."""
    rows = []
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        members = [i for i, c in enumerate(confidences) if low < c <= high or (index == 0 and c == 0.0)]
        if members:
            rows.append({"low": low, "high": high, "n": len(members),
                         "confidence": sum(confidences[i] for i in members) / len(members),
                         "accuracy": sum(bool(correct[i]) for i in members) / len(members)})
    total = len(confidences)
    ece = sum(r["n"] * abs(r["confidence"] - r["accuracy"]) for r in rows) / total if total else 0.0
    return {"ece": ece, "bins": rows, "n": total}


@dataclass
class _Pair:
    document: str
    gold: dict
    pred: dict


@dataclass
class DocumentResult:
    """One gold document against its prediction: the raw material every aggregate is computed from."""

    name: str
    municipality: str | None
    pairs: list[_Pair]
    n_gold: int
    n_pred: int
    metadata: dict  # field → True/False (None: gold cannot judge it), attendee/absent F1 → float or None
    grounded: list[bool]
    grounded_claims: list[bool]
    item_errors: list[dict]
    missed: list
    spurious: list


METADATA_FIELDS = ("municipality", "committee", "meeting_date")


def load_gold(gold_dirs: list[Path]) -> list[tuple[Path, dict]]:
    """Every gold JSON of the given folders, checked against the contract; a folder without any is an error."""
    found = []
    for gold_dir in gold_dirs:
        files = document_files(gold_dir)
        if not files:
            raise ContractError(Path(gold_dir), "no gold JSON files")
        found += [(path, read_document(path)) for path in files]
    return found


def evaluate_document(name: str, gold: dict, pred: dict, text: str | None = None) -> DocumentResult:
    """One document's prediction against its gold; the normalised text, when given, checks that summary
    numbers occur in their item."""
    matched = match_items(gold["items"], pred["items"])
    metadata: dict = {}
    for field in METADATA_FIELDS:
        metadata[field] = None if gold.get(field) is None else gold[field] == pred.get(field)
    for field in ("attendees", "absent"):
        metadata[f"{field}_f1"] = None if gold.get(field) is None else _set_f1(gold[field], pred.get(field) or [])
    matched_gold, matched_pred = {gi for gi, _ in matched}, {pi for _, pi in matched}
    return DocumentResult(
        name=name,
        municipality=gold.get("municipality"),
        pairs=[_Pair(name, gold["items"][gi], pred["items"][pi]) for gi, pi in matched],
        n_gold=len(gold["items"]),
        n_pred=len(pred["items"]),
        metadata=metadata,
        grounded=_grounded_numbers(pred, text),
        grounded_claims=_grounded_claims(pred, text),
        item_errors=_item_errors(name, gold["items"], pred["items"], matched),
        missed=[g.get("title") for i, g in enumerate(gold["items"]) if i not in matched_gold],
        spurious=[p.get("title") for i, p in enumerate(pred["items"]) if i not in matched_pred],
    )


def aggregate(results: list[DocumentResult], type_prefixes: dict[str, str]) -> dict:
    """Every metric over a set of documents (all of them, one municipality, or one document)."""
    pairs = [pair for r in results for pair in r.pairs]

    def judged_mean(key: str) -> float | None:
        values = [float(r.metadata[key]) for r in results if r.metadata.get(key) is not None]
        return sum(values) / len(values) if values else None

    field_accuracy = [float(r.metadata[f]) for r in results for f in METADATA_FIELDS if r.metadata.get(f) is not None]
    grounded = [g for r in results for g in r.grounded]
    per_document_f1 = [prf(len(r.pairs), r.n_pred, r.n_gold)["f1"] for r in results]
    per_document_case = [_case_number_accuracy(r.pairs) for r in results]
    per_document_case = [value for value in per_document_case if value is not None]
    return {
        "documents": len(results),
        "items": prf(len(pairs), sum(r.n_pred for r in results), sum(r.n_gold for r in results)),
        "min_item_f1_per_document": min(per_document_f1) if per_document_f1 else None,
        "min_case_number_accuracy_per_document": min(per_document_case) if per_document_case else None,
        **_item_field_metrics(pairs, type_prefixes),
        "metadata": {
            "municipality_accuracy": judged_mean("municipality"),
            "committee_accuracy": judged_mean("committee"),
            "meeting_date_accuracy": judged_mean("meeting_date"),
            "accuracy": sum(field_accuracy) / len(field_accuracy) if field_accuracy else None,
            "attendees_f1": judged_mean("attendees_f1"),
            "absent_f1": judged_mean("absent_f1"),
        },
        "summary_grounded_numbers": sum(grounded) / len(grounded) if grounded else None,
        "summary_grounded_claims": (sum(claims) / len(claims)) if (claims := [g for r in results for g in r.grounded_claims])
        else None,
        "type_confusion": confusion([(p.gold.get("type"), p.pred.get("type")) for p in pairs
                                     if p.gold.get("type") is not None], list(ITEM_TYPES)),
    }


def index_predictions(pred_dir: Path) -> dict[str, Path]:
    """Predicted JSONs by file name without .json (`x` or, where a run kept suffixes apart, `x.pdf`), at any
    depth under pred_dir (outputs mirror the input tree); the first in path order wins a shared name."""
    index: dict[str, Path] = {}
    for path in document_files(pred_dir):
        index.setdefault(path.stem, path)
    return index


def evaluate_dirs(gold_dirs: Path | list[Path], pred_dir: Path) -> dict:
    """Predictions in pred_dir against every gold document of gold_dirs: per document, per municipality
    and overall. A gold field that is null (cannot be judged from the text) is never scored."""
    gold_dirs = [gold_dirs] if isinstance(gold_dirs, (str, Path)) else list(gold_dirs)
    type_prefixes = load_pipeline_config().segment.type_prefixes
    golds = load_gold(gold_dirs)
    predictions = index_predictions(Path(pred_dir))
    if not predictions:
        raise ContractError(Path(pred_dir), "no predicted documents to evaluate (is it the output folder of `referat run`?)")
    results: list[DocumentResult] = []
    errors, files = [], {}
    for gold_path, gold in golds:
        name = gold.get("document") or gold_path.name
        stem = Path(name).stem
        pred_path = predictions.get(name) or predictions.get(stem)
        pred = read_document(pred_path) if pred_path else None
        if pred is None:
            errors.append(f"{Path(pred_dir) / (stem + '.json')}: no prediction for {gold_path.name}")
            pred = {"items": []}
        else:
            files[gold_path.stem] = str(pred_path)
        results.append(evaluate_document(gold_path.stem, gold, pred, _read_text(Path(pred_dir), pred)))
    per_document = {}
    for result in results:
        entry = aggregate([result], type_prefixes)
        entry["metadata"].update({f: result.metadata[f] for f in METADATA_FIELDS})
        entry.update(municipality=result.municipality, missed_items=result.missed, spurious_items=result.spurious)
        per_document[result.name] = entry
    groups: dict[str, list[DocumentResult]] = {}
    for result in results:
        groups.setdefault(result.municipality or "?", []).append(result)
    return {
        "overall": aggregate(results, type_prefixes),
        "per_document": per_document,
        "per_municipality": {name: aggregate(group, type_prefixes) for name, group in sorted(groups.items())},
        "errors": errors,
        "item_errors": [e for r in results for e in r.item_errors],
        "prediction_files": files,
    }


def _read_text(pred_dir: Path, pred: dict) -> str | None:
    """The normalised text a prediction points into (its path is relative to the run's output folder)."""
    text_path = pred_dir / (text_path_of(pred) or "")
    return text_path.read_text(encoding="utf-8") if text_path.is_file() else None


def _grounded_claims(pred: dict, text: str | None) -> list[bool]:
    """Per predicted item: does its summary claim only what the item backs (an Indstilling it has, an approval
    it records, a deciding body it names)?"""
    from pipeline.stages.summarize import claim_problems

    if not pred.get("items") or text is None:
        return []
    return [not claim_problems(item.get("summary") or "", text[slice(*item["spans"]["item"])],
                               item.get("recommendation"), item.get("outcome")) for item in pred["items"]]


def _grounded_numbers(pred: dict, text: str | None) -> list[bool]:
    """Per predicted item: does every number of its summary occur in the item's source text?"""
    from pipeline.stages.summarize import ungrounded

    if not pred.get("items") or text is None:
        return []
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
    """Scores over matched pairs; a pair whose gold value is null for a field is not scored on it (except
    title prefix and case number, where null means "none printed")."""

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    def judged(field: str) -> list[_Pair]:
        return [p for p in pairs if p.gold.get(field) is not None]

    type_pairs = [(p.gold["type"], p.pred.get("type")) for p in judged("type")]
    prefixed = [p for p in judged("type") if p.pred.get("title_prefix") in type_prefixes]
    text_scores = {}
    for field in ("recommendation", "decision"):
        text_scores[f"{field}_token_f1"] = mean([token_f1(p.gold[field], p.pred.get(field)) for p in judged(field)])
        text_scores[f"{field}_exact"] = mean([float(p.gold[field] == p.pred.get(field)) for p in judged(field)])
        text_scores[f"{field}_judged"] = len(judged(field))
    summaries = [p for p in pairs if p.gold.get("summary")]
    return {
        **_dissent_metrics(pairs),
        "topics": _topic_metrics(judged("topics")),
        "summary_rouge_l": mean([rouge_l(p.gold["summary"], p.pred.get("summary")) for p in summaries]),
        "summary_within_60_words": mean([float(len((p.pred.get("summary") or "").split()) <= 60) for p in pairs]),
        "summary_mean_words": mean([float(len((p.pred.get("summary") or "").split())) for p in pairs]),
        "matched_items": len(pairs),
        "type_accuracy": mean([float(g == p) for g, p in type_pairs]),
        "type": macro_f1(type_pairs, ITEM_TYPES),
        "type_title_prefix_baseline": {
            "coverage": len(prefixed) / len(type_pairs) if type_pairs else None,
            "accuracy_where_printed": mean(
                [float(type_prefixes[p.pred["title_prefix"]] == p.gold["type"]) for p in prefixed]
            ),
        },
        "title_prefix_accuracy": mean([float(p.gold.get("title_prefix") == p.pred.get("title_prefix")) for p in pairs]),
        "case_number_accuracy": _case_number_accuracy(pairs),
        "number_accuracy": mean([float(p.gold["number"] == p.pred.get("number")) for p in judged("number")]),
        "outcome_accuracy": mean([float(p.gold["outcome"] == p.pred.get("outcome")) for p in judged("outcome")]),
        **text_scores,
    }


def _case_number_accuracy(pairs: list[_Pair]) -> float | None:
    """Share of matched items whose case number is the gold's (null gold: none printed, so none expected)."""
    if not pairs:
        return None
    return sum(p.gold.get("case_number") == p.pred.get("case_number") for p in pairs) / len(pairs)


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
        votes = {(item_id, side, party) for v in item.get("votes") or [] for side in ("for", "against", "abstain")
                 for party in v.get(side, [])}
        positions = {(item_id, p.get("party"), p.get("stance")) for p in item.get("positions") or []}
        parties = {(item_id, p.get("party")) for p in item.get("positions") or []}
        rationales = {(item_id, p.get("party"), p.get("stance")): p.get("rationale") for p in item.get("positions") or []}
        return votes, positions, parties, rationales

    sets = {name: [set(), set()] for name in ("votes", "positions", "parties")}
    rationale_scores, invented, dissent_items, invented_votes = [], 0, 0, 0
    for index, pair in enumerate(pairs):
        item_id = (pair.document, index)
        gold, pred = keyed(item_id, pair.gold), keyed(item_id, pair.pred)
        judged = {"votes": pair.gold.get("votes") is not None, "positions": pair.gold.get("positions") is not None}
        judged["parties"] = judged["positions"]
        for position, name in enumerate(("votes", "positions", "parties")):
            if judged[name]:
                sets[name][0] |= gold[position]
                sets[name][1] |= pred[position]
        if judged["votes"]:
            invented_votes += bool(pred[0]) and not gold[0]
        if not judged["positions"]:
            continue
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
    out["items_with_invented_votes"] = invented_votes
    return out


def headline_scores(metrics: dict) -> dict[str, float | None]:
    """One number per stage (for `dvc metrics show` and dashboards)."""
    o = metrics["overall"]
    per = metrics.get("per_municipality", {})
    below = sorted((m["items"]["f1"], name) for name, m in per.items() if round(m["items"]["f1"], 6) < 0.75)
    return {
        "item_f1": o["items"]["f1"], "item_precision": o["items"]["precision"], "item_recall": o["items"]["recall"],
        "item_n_gold": o["items"]["n_gold"], "item_n_pred": o["items"]["n_pred"], "matched_items": o["matched_items"],
        "min_item_f1_per_document": o["min_item_f1_per_document"],
        "municipalities": len(per), "municipalities_below_075": len(below),
        "municipalities_below_075_names": ", ".join(f"{name} {f1:.2f}" for f1, name in below),
        "case_number_accuracy": o["case_number_accuracy"],
        "min_case_number_accuracy_per_document": o["min_case_number_accuracy_per_document"],
        "decision_n": o["decision_judged"], "recommendation_n": o["recommendation_judged"],
        "vote_precision": o["votes_f1"]["precision"], "vote_recall": o["votes_f1"]["recall"],
        "vote_n_gold": o["votes_f1"]["n_gold"], "position_precision": o["positions_f1"]["precision"],
        "position_recall": o["positions_f1"]["recall"], "position_n_gold": o["positions_f1"]["n_gold"],
        "items_with_invented_dissent": o["items_with_invented_dissent"],
        "items_with_invented_votes": o["items_with_invented_votes"], "type_accuracy": o["type_accuracy"], "type_macro_f1": o["type"]["macro_f1"],
        "topics_micro_f1": o["topics"]["micro"]["f1"], "outcome_accuracy": o["outcome_accuracy"],
        "recommendation_token_f1": o["recommendation_token_f1"], "decision_token_f1": o["decision_token_f1"],
        "vote_f1": o["votes_f1"]["f1"], "position_f1": o["positions_f1"]["f1"],
        "rationale_token_f1": o["rationale_token_f1"], "summary_rouge_l": o["summary_rouge_l"],
        "summary_within_60_words": o["summary_within_60_words"],
        "summary_grounded_numbers": o["summary_grounded_numbers"],
        "summary_grounded_claims": o["summary_grounded_claims"],
        "meeting_date_accuracy": o["metadata"]["meeting_date_accuracy"],
        "municipality_accuracy": o["metadata"]["municipality_accuracy"],
    }


def plot_data(metrics: dict, out_dir: Path) -> None:
    """DVC plot files: item F1 per municipality, F1 per type and topic label, (gold, predicted) type pairs."""
    from pipeline.writers import write_json_atomic

    overall = metrics["overall"]
    matrix = overall["type_confusion"]
    pairs = [{"gold": gold, "predicted": pred}
             for i, gold in enumerate(matrix["labels"]) for j, pred in enumerate(matrix["labels"])
             for _ in range(matrix["matrix"][i][j])]
    per_label = [{"task": "type", "label": label, "f1": m["f1"], "n": m["n_gold"]}
                 for label, m in overall["type"]["per_label"].items() if m["n_gold"] or m["n_pred"]]
    per_label += [{"task": "topics", "label": label, "f1": m["f1"], "n": m["n_gold"]}
                  for label, m in overall["topics"]["per_label"].items()]
    municipalities = [{"municipality": name, "item_f1": round(m["items"]["f1"], 4), "n": m["items"]["n_gold"]}
                      for name, m in metrics["per_municipality"].items()]
    for name, rows in (("type_confusion.json", pairs), ("per_label_f1.json", per_label),
                       ("per_municipality_item_f1.json", municipalities)):
        write_json_atomic(Path(out_dir) / name, rows)


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
        ("case-number accuracy", overall["case_number_accuracy"], gate.min_case_number_accuracy),
        ("case-number accuracy (worst document)", overall["min_case_number_accuracy_per_document"],
         gate.min_case_number_accuracy_per_document),
        ("vote F1", overall["votes_f1"]["f1"], gate.min_vote_f1),
        ("position F1", overall["positions_f1"]["f1"], gate.min_position_f1),
        ("rationale token F1", overall["rationale_token_f1"], gate.min_rationale_token_f1),
        ("summary ROUGE-L", overall["summary_rouge_l"], gate.min_summary_rouge_l),
        ("summaries within 60 words", overall["summary_within_60_words"], gate.min_summary_within_60_words),
        ("summaries with grounded numbers", overall["summary_grounded_numbers"], gate.min_summary_grounded_numbers),
        ("summaries with grounded claims", overall["summary_grounded_claims"], gate.min_summary_grounded_claims),
        ("items with invented dissent (negated)", -overall["items_with_invented_dissent"], -gate.max_items_with_invented_dissent),
        ("items with invented votes (negated)", -overall["items_with_invented_votes"], -gate.max_items_with_invented_votes),
    ]
    # a metric with nothing to score (no gold rationale at all, say) is undefined, not failed
    return [f"{name} {value:.3f} < {floor:.3f}" for name, value, floor in checks if value is not None and value < floor]


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def format_table(metrics: dict, by: str = "document") -> str:
    """The metrics as a text table, one row per document (or per municipality), then the overall row."""
    fmt = _fmt
    group_rows = metrics["per_municipality"] if by == "municipality" else metrics["per_document"]
    rows = [(by, "docs", "items P", "items R", "items F1", "type acc", "rec F1", "dec F1", "pos F1", "date", "munic.",
             "committee")]

    def row(name: str, m: dict, date, municipality, committee) -> tuple:
        return (name, str(m["documents"]), fmt(m["items"]["precision"]), fmt(m["items"]["recall"]),
                fmt(m["items"]["f1"]), fmt(m["type_accuracy"]), fmt(m["recommendation_token_f1"]),
                fmt(m["decision_token_f1"]), fmt(m["positions_f1"]["f1"] if m["positions_f1"]["n_gold"] or
                                                 m["positions_f1"]["n_pred"] else None),
                fmt(date), fmt(municipality), fmt(committee))

    for name, m in group_rows.items():
        meta = m["metadata"]
        if by == "municipality":
            rows.append(row(name, m, meta["meeting_date_accuracy"], meta["municipality_accuracy"], meta["committee_accuracy"]))
        else:
            rows.append(row(name, m, meta["meeting_date"], meta["municipality"], meta["committee"]))
    o = metrics["overall"]
    rows.append(row("OVERALL", o, o["metadata"]["meeting_date_accuracy"], o["metadata"]["municipality_accuracy"],
                    o["metadata"]["committee_accuracy"]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    baseline = o["type_title_prefix_baseline"]
    lines.append(
        f"metadata accuracy {fmt(o['metadata']['accuracy'])}; worst document item F1 {fmt(o['min_item_f1_per_document'])}\n"
        f"type macro-F1 {fmt(o['type']['macro_f1'])}; title-prefix baseline: accuracy "
        f"{fmt(baseline['accuracy_where_printed'])} on the {fmt(baseline['coverage'])} of items with a printed prefix; "
        f"outcome acc {fmt(o['outcome_accuracy'])}; case no. acc {fmt(o['case_number_accuracy'])}; "
        f"committee acc {fmt(o['metadata']['committee_accuracy'])}; attendees F1 {fmt(o['metadata']['attendees_f1'])}; "
        f"topics micro-F1 {fmt(o['topics']['micro']['f1'])}; "
        f"absent F1 {fmt(o['metadata']['absent_f1'])}\n"
        f"dissent: vote F1 {fmt(o['votes_f1']['f1'])}, position F1 {fmt(o['positions_f1']['f1'])}, "
        f"party F1 {fmt(o['parties_f1']['f1'])}, rationale token F1 {fmt(o['rationale_token_f1'])}; "
        f"{o['items_with_dissent']} items with dissent in gold, {o['items_with_invented_dissent']} with invented dissent, "
        f"{o['items_with_invented_votes']} with invented votes"
    )
    return "\n".join(lines)


def summary_baselines(gold_dir: Path, corpus_dir: Path) -> dict:
    """Lead sentences, plain TextRank and the pipeline's summariser side by side on the gold summaries:
    ROUGE-L, share of summaries whose numbers all occur in the item, mean length, share within 60 words."""
    from pipeline.stages.pipeline import Pipeline
    from pipeline.stages.summarize import LeadSummarizer, TextRankSummarizer, ungrounded

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
