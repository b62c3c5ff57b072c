"""Corpus export: the per-document JSON of a run as three Parquet tables and a Hugging Face dataset.

- meetings.parquet: one row per document (document, municipality, committee, meeting_date, attendees, absent,
  items, source_sha256, source_path, text_path, warnings)
- items.parquet: one row per agenda item (document, municipality, committee, meeting_date, number, title,
  title_prefix, case_number, type, type_confidence, topics, recommendation, decision, outcome, summary, type_by,
  topics_by, needs_review, review_reasons: which confidences fell below configs/review.yaml, item_start,
  item_end: the item's character offsets in text_path)
- dissent.parquet: one row per vote or position (document, municipality, committee, meeting_date, item_number,
  item_title, kind "vote"|"position", motion, for_parties, against_parties, abstain_parties, result, party,
  members, stance, rationale)
- hf/: the same three tables as Hugging Face configurations ("meetings", "items", "dissent"), each split into
  train/validation/test by municipality (no municipality in two splits), with typed features (ClassLabel for
  type, outcome, kind, result, stance; a sequence of ClassLabel for topics; dates as dates) and a dataset card:
  `datasets.load_dataset("EXPORT/hf", "items")`.

`document` is the output's path in the run folder without ".json" (the name the evaluation report uses). Tables
are written in batches, so memory does not grow with the corpus."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import ITEM_TYPES, OUTCOMES, ReviewConfig, load_taxonomy
from pipeline.contract import ContractError, document_files, read_document
from pipeline.writers import prepare_output_dir, write_text_atomic

STRINGS = pa.list_(pa.string())
MEETING = [("document", pa.string()), ("municipality", pa.string()), ("committee", pa.string()),
           ("meeting_date", pa.date32())]
SCHEMAS = {
    "meetings": pa.schema(MEETING + [("attendees", STRINGS), ("absent", STRINGS), ("items", pa.int32()),
                                     ("source_sha256", pa.string()), ("source_path", pa.string()),
                                     ("text_path", pa.string()), ("warnings", STRINGS)]),
    "items": pa.schema(MEETING + [("number", pa.int32()), ("title", pa.string()), ("title_prefix", pa.string()),
                                  ("case_number", pa.string()), ("type", pa.string()), ("type_confidence", pa.float64()),
                                  ("topics", STRINGS), ("recommendation", pa.string()), ("decision", pa.string()),
                                  ("outcome", pa.string()), ("summary", pa.string()), ("type_by", pa.string()),
                                  ("topics_by", pa.string()), ("needs_review", pa.bool_()), ("review_reasons", STRINGS),
                                  ("item_start", pa.int64()), ("item_end", pa.int64())]),
    "dissent": pa.schema(MEETING + [("item_number", pa.int32()), ("item_title", pa.string()), ("kind", pa.string()),
                                    ("motion", pa.string()), ("for_parties", STRINGS), ("against_parties", STRINGS),
                                    ("abstain_parties", STRINGS), ("result", pa.string()), ("party", pa.string()),
                                    ("members", STRINGS), ("stance", pa.string()), ("rationale", pa.string())]),
}
# Label sets of the typed Hugging Face features (the output contract's values).
CLASS_LABELS = {"type": list(ITEM_TYPES), "outcome": list(OUTCOMES), "kind": ["vote", "position"],
                "result": ["adopted", "rejected", "fell", "unknown"],
                "stance": ["against", "abstain", "minority_proposal", "reservation"]}
SPLITS = ("train", "validation", "test")


def review_reasons(confidence: dict, review: ReviewConfig) -> list[str]:
    """Why a person should check this item: each model confidence under its configured floor."""
    reasons = []
    if confidence.get("type") is not None and confidence["type"] < review.type_confidence:
        reasons.append(f"type confidence {confidence['type']:.2f} < {review.type_confidence}")
    if confidence.get("segment") is not None and confidence["segment"] < review.segment_confidence:
        reasons.append(f"segment confidence {confidence['segment']:.2f} < {review.segment_confidence}")
    return reasons


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def rows(data: dict, name: str, review: ReviewConfig = ReviewConfig()) -> dict[str, list[dict]]:
    """The three tables' rows for one document JSON, `name` being the document's name in the run folder."""
    source = data["source"] if isinstance(data.get("source"), dict) else {}
    meeting = {"document": name, "municipality": data.get("municipality"), "committee": data.get("committee"),
               "meeting_date": _date(data.get("meeting_date"))}
    meetings = [{**meeting, "attendees": data.get("attendees"), "absent": data.get("absent"),
                 "items": len(data["items"]), "source_sha256": source.get("sha256"), "source_path": source.get("path"),
                 "text_path": source.get("text_path"), "warnings": data.get("warnings", [])}]
    items, dissent = [], []
    for item in data["items"]:
        provenance, confidence = item.get("provenance") or {}, item.get("confidence") or {}
        reasons = review_reasons(confidence, review)
        span = (item.get("spans") or {}).get("item") or [None, None]
        items.append({**meeting, "needs_review": bool(reasons), "review_reasons": reasons,
                      "type_confidence": confidence.get("type"), "type_by": provenance.get("type"),
                      "topics_by": provenance.get("topics"), "item_start": span[0], "item_end": span[1],
                      **{k: item.get(k) for k in ("number", "title", "title_prefix", "case_number", "type", "topics",
                                                  "recommendation", "decision", "outcome", "summary")}})
        empty = {column: None for column in SCHEMAS["dissent"].names}
        where = {**empty, **meeting, "item_number": item["number"], "item_title": item.get("title")}
        for vote in item.get("votes") or []:
            dissent.append({**where, "kind": "vote", "motion": vote["motion"], "for_parties": vote["for"],
                            "against_parties": vote["against"], "abstain_parties": vote["abstain"],
                            "result": vote["result"]})
        for position in item.get("positions") or []:
            dissent.append({**where, "kind": "position", "party": position["party"], "members": position["members"],
                            "stance": position["stance"], "rationale": position["rationale"]})
    return {"meetings": meetings, "items": items, "dissent": dissent}


def export(pred_dir: Path, out_dir: Path, batch_documents: int = 500, hf: bool = True,
           review: ReviewConfig = ReviewConfig()) -> tuple[dict[str, int], list[str]]:
    """Write the Parquet tables (and the HF dataset) for every document JSON in pred_dir (at any depth); returns
    row counts and one error line per file that is not a valid document (left out, the export goes on)."""
    pred_dir = Path(pred_dir)
    files = [path for path in document_files(pred_dir) if path.name not in ("metrics.json",)]
    if not files:
        raise ContractError(pred_dir, "no document JSON files to export (is it the output folder of `referat run`?)")
    out_dir = prepare_output_dir(out_dir)
    errors: list[str] = []
    writers = {name: pq.ParquetWriter(out_dir / f"{name}.parquet.tmp", schema) for name, schema in SCHEMAS.items()}
    counts = {name: 0 for name in SCHEMAS}
    buffers: dict[str, list[dict]] = {name: [] for name in SCHEMAS}

    def flush() -> None:
        for name, buffer in buffers.items():
            if buffer:
                writers[name].write_table(pa.Table.from_pylist(buffer, schema=SCHEMAS[name]))
                counts[name] += len(buffer)
                buffer.clear()

    try:
        for index, path in enumerate(files):
            try:
                data = read_document(path)
            except ContractError as err:
                errors.append(str(err))
                continue
            name = path.relative_to(pred_dir).with_suffix("").as_posix()
            for table, new in rows(data, name, review).items():
                buffers[table].extend(new)
            if (index + 1) % batch_documents == 0:
                flush()
        flush()
    finally:
        for writer in writers.values():
            writer.close()
    if not counts["meetings"]:
        for name in SCHEMAS:
            (out_dir / f"{name}.parquet.tmp").unlink(missing_ok=True)
        raise ContractError(pred_dir, "none of its JSON files is a document of `referat run`: "
                                      + (errors[0] if errors else "nothing to export"))
    for name in SCHEMAS:
        (out_dir / f"{name}.parquet.tmp").replace(out_dir / f"{name}.parquet")
    if hf:
        write_hf_dataset(out_dir, out_dir / "hf", counts)
    return counts, errors


def split_of(municipalities: list[str]) -> dict[str, str]:
    """Each municipality's split, stable across runs (ordered by a hash of its name): about 10 % of the
    municipalities (at least one, where there are three or more) in test and in validation, the rest in train."""
    ordered = sorted(municipalities, key=lambda m: hashlib.sha256(m.encode("utf-8")).hexdigest())
    n = len(ordered)
    held = max(1, round(0.1 * n)) if n >= 3 else 0
    return {m: "test" if i < held else "validation" if i < 2 * held else "train" for i, m in enumerate(ordered)}


def hf_features():
    from datasets import ClassLabel, Features, Sequence, Value

    topics = load_taxonomy().labels

    def feature(field: pa.Field):
        if field.name in CLASS_LABELS:
            return ClassLabel(names=CLASS_LABELS[field.name])
        if field.name == "topics":
            return Sequence(ClassLabel(names=topics))
        if pa.types.is_list(field.type):
            return Sequence(Value("string"))
        return Value({"date32[day]": "date32", "int32": "int32", "int64": "int64", "double": "float64",
                      "bool": "bool"}.get(str(field.type), "string"))

    return {name: Features({f.name: feature(f) for f in schema}) for name, schema in SCHEMAS.items()}


def write_hf_dataset(tables: Path, out: Path, counts: dict[str, int]) -> None:
    """The Parquet tables as a Hugging Face dataset folder: one configuration per table, municipality-disjoint
    splits, typed features, and a dataset card (README.md) that `datasets.load_dataset(out, name)` reads."""
    import shutil

    import datasets

    datasets.disable_progress_bars()
    if out.exists():
        shutil.rmtree(out)
    municipalities = pq.read_table(tables / "meetings.parquet", columns=["municipality"]).column(0).to_pylist()
    splits = split_of(sorted({m or "unknown" for m in municipalities}))
    features = hf_features()
    sizes: dict[str, dict[str, int]] = {}
    for name in SCHEMAS:
        dataset = datasets.Dataset.from_parquet(str(tables / f"{name}.parquet")).cast(features[name])
        sizes[name] = {}
        for split in SPLITS:
            part = dataset.filter(lambda row: splits[row["municipality"] or "unknown"] == split)
            sizes[name][split] = len(part)
            if len(part):  # a split without rows (no dissent in its municipalities) is left out of the config
                (out / name).mkdir(parents=True, exist_ok=True)
                part.to_parquet(str(out / name / f"{split}-00000-of-00001.parquet"))
    by_split = {split: sorted(m for m, s in splits.items() if s == split) for split in SPLITS}
    write_text_atomic(out / "README.md", dataset_card(features, sizes, by_split))


def dataset_card(features: dict, sizes: dict[str, dict[str, int]], municipalities: dict[str, list[str]]) -> str:
    """A dataset card in the Hugging Face format: YAML metadata (configurations, their files) and the fields,
    counts, splits, provenance and licence notes a user of the data needs."""
    yaml_configs = []
    for name in [n for n in SCHEMAS if any(sizes[n].values())]:  # a table without rows has no configuration
        files = "\n".join(f"  - split: {split}\n    path: {name}/{split}-*.parquet" for split in SPLITS
                          if sizes[name][split])
        yaml_configs.append(f"- config_name: {name}\n  data_files:\n{files}")
    fields = []
    for name, feature_set in features.items():
        fields.append(f"### `{name}`\n\n| field | type |\n|---|---|")
        fields += [f"| `{field}` | {type(feature).__name__}"
                   + (f" ({', '.join(feature.names)})" if hasattr(feature, "names") else "") + " |"
                   for field, feature in feature_set.items()]
        fields.append("")
    counts = ["| table | " + " | ".join(SPLITS) + " |", "|---|" + "---|" * len(SPLITS)]
    counts += [f"| {name} | " + " | ".join(str(sizes[name][s]) for s in SPLITS) + " |" for name in SCHEMAS]
    split_lines = [f"- **{split}**: {len(ms)} municipalities ({', '.join(ms) or '–'})" for split, ms in municipalities.items()]
    return "\n".join([
        "---", "language:", "- da", "pretty_name: referat — Danish municipal committee minutes, tagged",
        "task_categories:", "- text-classification", "- token-classification", "configs:", *yaml_configs, "---", "",
        "# referat corpus export", "",
        "Danish municipal committee minutes (referater) turned into a structured corpus by "
        "[referat](https://example.invalid/referat): one row per meeting, per agenda item, and per vote or dissenting "
        "position. Made by `referat export`; every label was predicted by the pipeline (see `type_by`, "
        "`topics_by`), not annotated by hand.", "",
        "## Configurations and splits", "",
        "`datasets.load_dataset(PATH, \"items\")` (or `\"meetings\"`, `\"dissent\"`). Splits are by municipality: no "
        "municipality is in two splits, so a model trained on `train` is judged on municipalities it has not seen.", "",
        *counts, "", *split_lines, "",
        "## Fields", "", *fields,
        "`document` is the output's path in the run folder without `.json`; `item_start`/`item_end` are character "
        "offsets into the normalised text at `text_path` (in `meetings`) relative to the run folder.", "",
        "## Provenance and licence", "",
        "The source texts are public minutes published by Danish municipalities and regions; their text remains the "
        "authors'. Verbatim fields (titles, Indstilling, decisions, rationales) quote them; summaries are extractive. "
        "Check each publisher's terms before redistributing the text fields. Labels are machine predictions with the "
        "confidence and model version given per item; items with `needs_review` fell below the review thresholds.", ""])
