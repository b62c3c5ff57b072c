"""The staged pipeline over one document: read (ingest) → structure (segment, metadata) → label (type, outcome,
topics, dissent, summary). Stages are plain objects built once from config and reused per document; `referat run`
(run/batch.py) chains them per document; training and evaluation (learn/, evaluate/) call them too."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from time import perf_counter

from pipeline.stages.classify import RuleClassifier
from pipeline.config import (
    DissentConfig,
    PipelineConfig,
    load_dissent_config,
    load_model_paths,
    load_municipalities,
    load_pipeline_config,
)
from pipeline.stages.dissent import DissentExtractor
from pipeline.ingest import IngestError, read_source
from pipeline.stages.labels import ItemLabeller
from pipeline.stages.metadata import MetadataExtractor
from pipeline.records import Document, SourceText
from pipeline.stages.segment import Segmentation, SegmentationError, build_segmenter
from pipeline.stages.summarize import Summarizer


class DocumentError(Exception):
    """A document that could not be processed; str() is one line naming the file and the reason."""


class StageClock:
    """Seconds spent per stage since the last reset: what `referat run --profile` and the manifest show."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str):
        started = perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + perf_counter() - started

    def reset(self) -> dict[str, float]:
        seconds, self.seconds = self.seconds, {}
        return seconds


class Pipeline:
    def __init__(
        self, config: PipelineConfig | None = None, dissent_config: DissentConfig | None = None, use_models: bool = True,
        ocr: bool = False,
    ):
        self.config = config or load_pipeline_config()
        if ocr:
            self.config = self.config.model_copy(update={"ingest": self.config.ingest.model_copy(update={"ocr": True})})
        self.dissent = DissentExtractor(dissent_config or load_dissent_config())
        model_paths = load_model_paths() if use_models else None
        self.segmenter = build_segmenter(self.config.segment, model_paths.resolve(model_paths.segment) if model_paths else None)
        self.metadata = MetadataExtractor(self.config.metadata, load_municipalities())
        self.classifier = RuleClassifier(self.config.classify, self.config.segment)
        self.labeller = ItemLabeller(model_paths, self.config)
        self.summarizer = Summarizer()
        self.clock = StageClock()

    def process(self, path: Path) -> Document:
        """All stages on one file."""
        return self.label(self.structure(self.read(path)))

    def read(self, path: Path) -> SourceText:
        """Stage ingest: the file as normalised text."""
        try:
            with self.clock("ingest"):
                return read_source(path, self.config.ingest)
        except IngestError as err:
            raise DocumentError(str(err)) from err

    def structure(self, source: SourceText) -> Document:
        """Stage segment: items, their sections and the meeting metadata."""
        try:
            with self.clock("segment"):
                segmentation = self.segmenter.segment(source)
        except SegmentationError as err:
            raise DocumentError(f"{source.path}: {err}") from err
        with self.clock("metadata"):
            return self.document_from(source, segmentation)

    def document_from(self, source: SourceText, segmentation: Segmentation) -> Document:
        """The document of a segmentation, with the meeting metadata read around its items."""
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
            provenance=meta.sources,
        )

    def label(self, document: Document) -> Document:
        """Stage predict: type and outcome, topics, votes and dissent, summaries."""
        source = document.source
        with self.clock("type (rules)"):
            for item in document.items:
                self.classifier.classify(item)
        with self.clock("type, topics (models)"):
            self.labeller.label(document)
        with self.clock("dissent"):
            self._dissent(document)
        with self.clock("summarize"):
            self.summarizer.label(document)
        return document

    def _dissent(self, document: Document) -> None:
        source = document.source
        rosters: list = []

        def roster():  # the document's "Name (X)" lists, read once, and only where a decision needs them
            if not rosters:
                rosters.append(self.dissent.roster(source.text[: source.body_end]))
            return rosters[0]

        for item in document.items:
            # where no decision section was found, the item's own record of a vote (its first sentence that
            # records one, to the item's end) is read instead
            span = item.spans.get("decision") or self.dissent.recorded_vote(source.text, item.spans["item"])
            if span:
                if self.dissent.worth_reading_re.search(source.text, *span):  # else no wording of a vote or position
                    item.votes, item.positions, warnings = self.dissent.extract(source.text, span, roster(),
                                                                                item.outcome, item.title)
                    document.warnings.extend(f"item {item.number}: {w}" for w in warnings)
                item.provenance["dissent"] = "rules:spacy-matcher" + ("" if "decision" in item.spans else " (vote record)")
            # reservations recorded in earlier treatments the item quotes ("Sagens forløb", committees' notes)
            # are the item's where this meeting did not decide it (referred, postponed); where it decided,
            # only its own decision's dissent counts
            if item.outcome in ("approved", "rejected", "fell", "noted", "discussed") \
                    or not self.dissent.reservation_re.search(source.text, *item.spans["item"]):
                continue
            known = {(p.party, p.stance) for p in item.positions}
            for position in self.dissent.reservations(source.text, item.spans["item"], item.spans.get("decision"),
                                                      roster()):
                if (position.party, position.stance) not in known:
                    item.positions.append(position)
                    item.provenance.setdefault("dissent", "rules:spacy-matcher")
