"""The staged pipeline over one document, and a batch run over many: read (ingest) → structure (segment,
metadata) → label (type, outcome, topics, dissent, summary), then the writers. Stages are plain objects
built once from config and reused per document; `referat run` (batch.py) chains them per document, the DVC pipeline
runs them as separate stages over files (stages.py)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .classify import RuleClassifier
from .config import (
    DissentConfig,
    PipelineConfig,
    load_dissent_config,
    load_model_paths,
    load_municipalities,
    load_pipeline_config,
)
from .dissent import DissentExtractor
from .ingest import SUPPORTED_SUFFIXES, IngestError, read_source
from .labels import ItemLabeller
from .metadata import MetadataExtractor
from .records import Document, SourceText
from .segment import Segmenter, SegmentationError
from .summarize import Summarizer
from .writers import write_json_atomic, write_text_atomic


class DocumentError(Exception):
    """A document that could not be processed; str() is one line naming the file and the reason."""


class Pipeline:
    def __init__(
        self, config: PipelineConfig | None = None, dissent_config: DissentConfig | None = None, use_models: bool = True,
        ocr: bool = False,
    ):
        self.config = config or load_pipeline_config()
        if ocr:
            self.config = self.config.model_copy(update={"ingest": self.config.ingest.model_copy(update={"ocr": True})})
        self.dissent = DissentExtractor(dissent_config or load_dissent_config())
        self.segmenter = Segmenter(self.config.segment)
        self.metadata = MetadataExtractor(self.config.metadata, load_municipalities())
        self.classifier = RuleClassifier(self.config.classify, self.config.segment)
        self.labeller = ItemLabeller(load_model_paths() if use_models else None, self.config)
        self.summarizer = Summarizer()

    def process(self, path: Path) -> Document:
        """All stages on one file."""
        return self.label(self.structure(self.read(path)))

    def read(self, path: Path) -> SourceText:
        """Stage ingest: the file as normalised text."""
        try:
            return read_source(path, self.config.ingest)
        except IngestError as err:
            raise DocumentError(str(err)) from err

    def structure(self, source: SourceText) -> Document:
        """Stage segment: items, their sections and the meeting metadata."""
        try:
            segmentation = self.segmenter.segment(source)
        except SegmentationError as err:
            raise DocumentError(f"{source.path}: {err}") from err
        meta = self.metadata.extract(source.text, segmentation.header_end, source.body_end)
        return Document(
            source=source,
            municipality=meta.municipality,
            committee=meta.committee,
            meeting_date=meta.meeting_date,
            attendees=meta.attendees,
            absent=meta.absent,
            items=segmentation.items,
            spans=meta.spans,
            segmentation=segmentation.info,
        )

    def label(self, document: Document) -> Document:
        """Stage predict: type and outcome, topics, votes and dissent, summaries."""
        source = document.source
        roster = self.dissent.roster(source.text[: source.body_end])
        for item in document.items:
            self.classifier.classify(item)
        self.labeller.label(document)
        for item in document.items:
            if "decision" in item.spans:
                item.votes, item.positions, warnings = self.dissent.extract(
                    source.text, item.spans["decision"], roster, item.outcome
                )
                item.provenance["dissent"] = "rules:spacy-matcher"
                document.warnings.extend(f"item {item.number}: {w}" for w in warnings)
        self.summarizer.label(document)
        return document


def discover(inputs: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Files to process from files and folders (recursively, symlink loops ignored), and problems found."""
    files: list[Path] = []
    problems: list[str] = []
    seen_dirs: set[str] = set()
    for entry in inputs:
        entry = Path(entry)
        if entry.is_file():
            files.append(entry)
        elif entry.is_dir():
            for root, dirs, names in os.walk(entry, followlinks=True, onerror=lambda e: problems.append(f"{e.filename}: {e.strerror}")):
                real = os.path.realpath(root)
                if real in seen_dirs:
                    problems.append(f"{root}: symlink loop, skipped")
                    dirs[:] = []
                    continue
                seen_dirs.add(real)
                dirs.sort()
                for name in sorted(names):
                    path = Path(root) / name
                    if path.suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith("."):
                        files.append(path)
        else:
            problems.append(f"{entry}: no such file or folder")
    return files, problems


def output_paths(path: Path, out_dir: Path) -> tuple[Path, Path]:
    """DIR/<stem>.json and the normalised text it points into, DIR/text/<stem>.txt."""
    return out_dir / f"{path.stem}.json", out_dir / "text" / f"{path.stem}.txt"


def write_outputs(document: Document, out_dir: Path) -> Path:
    """The normalised text first, then the JSON that points into it: a JSON on disk always has its text."""
    json_path, text_path = output_paths(document.source.path, out_dir)
    write_text_atomic(text_path, document.source.text)
    write_json_atomic(json_path, document.to_json(text_path=str(text_path.relative_to(out_dir))))
    return json_path
