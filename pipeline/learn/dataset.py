"""Training data: gold items (labels from shared/gold, text from running the pipeline on the raw minutes)
plus weakly labelled items from any minutes folder (type from the printed prefix or the Indstilling; topics
from seed-term evidence). Written as a Hugging Face `datasets` dataset (Arrow) and Parquet."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.config import load_taxonomy
from pipeline.evaluate.matching import gold_item_pairs
from pipeline.ingest import discover
from pipeline.stages.pipeline import DocumentError, Pipeline
from pipeline.records import Document, Item
from pipeline.stages.item_text import topic_text, type_text
from pipeline.stages.topics import Lexicon

# Confident rule outputs that may serve as weak type labels.
WEAK_TYPE_RULES = {"rules:indstilling", "rules:title_prefix", "rules:announcement_title"}


@dataclass
class Example:
    document: str
    municipality: str | None
    number: int
    title: str
    text_type: str  # title without printed type word + Indstilling + Beslutning
    text_topics: str  # "title\n\nitem text"
    type: str | None
    topics: list[str] | None
    source: str  # "gold" | "weak"
    label_rules: dict[str, str] = field(default_factory=dict)


def _example(document: Document, item: Item, type_words: list[str], **labels) -> Example:
    return Example(
        document=document.source.path.name,
        municipality=document.municipality,
        number=item.number,
        title=item.title,
        text_type=type_text(document, item, type_words),
        text_topics=topic_text(document, item),
        **labels,
    )


def gold_examples(corpus_dir: Path, gold_dir: Path, pipeline: Pipeline) -> list[Example]:
    """Gold labels on the pipeline's own items (matched by title), so training sees what inference sees."""
    type_words = list(pipeline.config.segment.type_prefixes)
    examples = []
    for gold, document, labels, item in gold_item_pairs(gold_dir, corpus_dir, pipeline):
        example = _example(document, item, type_words, type=labels["type"], topics=labels["topics"], source="gold")
        example.municipality = gold.get("municipality") or example.municipality
        examples.append(example)
    return examples


def weak_examples(inputs: list[Path], pipeline: Pipeline, exclude: set[str] = frozenset()) -> list[Example]:
    """Items of unlabelled minutes with rule labels; documents named in `exclude` (gold ones) are skipped."""
    lexicon = Lexicon(load_taxonomy())
    type_words = list(pipeline.config.segment.type_prefixes)
    examples = []
    for path in (f.path for f in discover(inputs).files):
        if path.name in exclude:
            continue
        try:
            document = pipeline.process(path)
        except DocumentError:
            continue
        for item in document.items:
            rule = item.provenance.get("type", "")
            text = topic_text(document, item)
            examples.append(_example(
                document, item, type_words,
                type=item.type if rule in WEAK_TYPE_RULES else None,
                topics=lexicon.substantial(text),
                source="weak",
                label_rules={"type": rule, "topics": "lexicon"},
            ))
    return examples


def data_version(examples: list[Example]) -> str:
    """Content hash of the examples: the data version logged with every model trained on them."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps(asdict(example), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:16]


def to_dataset(examples: list[Example]):
    from datasets import Dataset

    rows = [asdict(e) for e in examples]
    for row in rows:
        row["label_rules"] = json.dumps(row["label_rules"])
    return Dataset.from_list(rows)


def save(examples: list[Example], out_dir: Path) -> Path:
    """Arrow dataset in OUT/dataset, Parquet in OUT/items.parquet, and the data version in OUT/VERSION."""
    import datasets

    datasets.disable_progress_bars()
    out_dir = Path(out_dir)
    dataset = to_dataset(examples)
    dataset.save_to_disk(str(out_dir / "dataset"))
    dataset.to_parquet(str(out_dir / "items.parquet"))
    (out_dir / "VERSION").write_text(data_version(examples) + "\n", encoding="utf-8")
    return out_dir
