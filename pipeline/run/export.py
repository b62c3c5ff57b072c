"""Corpus export: the per-document JSON of a run as three Parquet tables and a Hugging Face dataset.

- meetings.parquet: one row per document (document, municipality, committee, meeting_date, attendees, absent,
  items, source_sha256, source_path, warnings)
- items.parquet: one row per agenda item (document, municipality, meeting_date, number, title, title_prefix,
  case_number, type, type_confidence, topics, recommendation, decision, outcome, summary, type_by, topics_by,
  needs_review, review_reasons: which confidences fell below configs/review.yaml)
- dissent.parquet: one row per vote or position (document, item_number, kind "vote"|"position", motion,
  for_parties, against_parties, abstain_parties, result, party, members, stance, rationale)
- hf/: a `datasets.DatasetDict` with the same three splits ("meetings", "items", "dissent")

Tables are written in batches, so memory does not grow with the corpus."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import ReviewConfig
from pipeline.contract import ContractError, document_files, read_document
from pipeline.writers import prepare_output_dir

STRINGS = pa.list_(pa.string())
SCHEMAS = {
    "meetings": pa.schema([("document", pa.string()), ("municipality", pa.string()), ("committee", pa.string()),
                           ("meeting_date", pa.string()), ("attendees", STRINGS), ("absent", STRINGS),
                           ("items", pa.int32()), ("source_sha256", pa.string()), ("source_path", pa.string()),
                           ("warnings", STRINGS)]),
    "items": pa.schema([("document", pa.string()), ("municipality", pa.string()), ("meeting_date", pa.string()),
                        ("number", pa.int32()), ("title", pa.string()), ("title_prefix", pa.string()),
                        ("case_number", pa.string()), ("type", pa.string()), ("type_confidence", pa.float64()),
                        ("topics", STRINGS), ("recommendation", pa.string()), ("decision", pa.string()),
                        ("outcome", pa.string()), ("summary", pa.string()), ("type_by", pa.string()),
                        ("topics_by", pa.string()), ("needs_review", pa.bool_()), ("review_reasons", STRINGS)]),
    "dissent": pa.schema([("document", pa.string()), ("item_number", pa.int32()), ("kind", pa.string()),
                          ("motion", pa.string()), ("for_parties", STRINGS), ("against_parties", STRINGS),
                          ("abstain_parties", STRINGS), ("result", pa.string()), ("party", pa.string()),
                          ("members", STRINGS), ("stance", pa.string()), ("rationale", pa.string())]),
}


def review_reasons(confidence: dict, review: ReviewConfig) -> list[str]:
    """Why a person should check this item: each model confidence under its configured floor."""
    reasons = []
    if confidence.get("type") is not None and confidence["type"] < review.type_confidence:
        reasons.append(f"type confidence {confidence['type']:.2f} < {review.type_confidence}")
    if confidence.get("segment") is not None and confidence["segment"] < review.segment_confidence:
        reasons.append(f"segment confidence {confidence['segment']:.2f} < {review.segment_confidence}")
    return reasons


def rows(data: dict, review: ReviewConfig = ReviewConfig()) -> dict[str, list[dict]]:
    """The three tables' rows for one document JSON."""
    source = data["source"] if isinstance(data.get("source"), dict) else {}
    meeting = {"document": data["document"], "municipality": data.get("municipality"), "committee": data.get("committee"),
               "meeting_date": data.get("meeting_date"), "attendees": data.get("attendees"), "absent": data.get("absent"),
               "items": len(data["items"]), "source_sha256": source.get("sha256"),
               "source_path": source.get("path"), "warnings": data.get("warnings", [])}
    items, dissent = [], []
    for item in data["items"]:
        provenance, confidence = item.get("provenance") or {}, item.get("confidence") or {}
        reasons = review_reasons(confidence, review)
        items.append({"needs_review": bool(reasons), "review_reasons": reasons, "document": data["document"],
                      "municipality": data.get("municipality"), "meeting_date": data.get("meeting_date"),
                      "type_confidence": confidence.get("type"),
                      "type_by": provenance.get("type"), "topics_by": provenance.get("topics"),
                      **{k: item.get(k) for k in ("number", "title", "title_prefix", "case_number", "type", "topics",
                                                  "recommendation", "decision", "outcome", "summary")}})
        empty = {name: None for name in SCHEMAS["dissent"].names}
        for vote in item.get("votes") or []:
            dissent.append({**empty, "document": data["document"], "item_number": item["number"], "kind": "vote",
                            "motion": vote["motion"], "for_parties": vote["for"], "against_parties": vote["against"],
                            "abstain_parties": vote["abstain"], "result": vote["result"]})
        for position in item.get("positions") or []:
            dissent.append({**empty, "document": data["document"], "item_number": item["number"], "kind": "position",
                            "party": position["party"], "members": position["members"], "stance": position["stance"],
                            "rationale": position["rationale"]})
    return {"meetings": [meeting], "items": items, "dissent": dissent}


def export(pred_dir: Path, out_dir: Path, batch_documents: int = 500, hf: bool = True,
           review: ReviewConfig = ReviewConfig()) -> tuple[dict[str, int], list[str]]:
    """Write the Parquet tables (and the HF dataset) for every document JSON in pred_dir (at any depth); returns
    row counts and one error line per file that is not a valid document (left out, the export goes on)."""
    files = document_files(pred_dir)
    if not files:
        raise ContractError(Path(pred_dir), "no document JSON files to export")
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
            for name, new in rows(data, review).items():
                buffers[name].extend(new)
            if (index + 1) % batch_documents == 0:
                flush()
        flush()
    finally:
        for writer in writers.values():
            writer.close()
    for name in SCHEMAS:
        (out_dir / f"{name}.parquet.tmp").replace(out_dir / f"{name}.parquet")
    if hf:
        import datasets

        datasets.disable_progress_bars()
        dataset = datasets.DatasetDict({name: datasets.Dataset.from_parquet(str(out_dir / f"{name}.parquet"))
                                        for name in SCHEMAS})
        dataset.save_to_disk(str(out_dir / "hf"))
    return counts, errors
