"""Segmentation: a document's lines into agenda items and their sections.

features.py describes each line, model.py (a CRF trained by `referat train segment`) labels the lines, and
decode.py turns labelled lines into Items. Without a trained model the rule detectors of rules.py segment,
and `segmentation.segmenter` in the output says which did.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.config import SegmentConfig
from pipeline.records import SourceText
from pipeline.stages.segment.decode import ItemBuilder, LineDecoder, is_flat
from pipeline.stages.segment.features import LineFeaturizer, rule_hints
from pipeline.stages.segment.model import META_FILE, LineLabeller
from pipeline.stages.segment.rules import Segmentation, SegmentationError, Segmenter
from pipeline.stages.segment.vocabulary import Vocabulary

__all__ = ["LineSegmenter", "Segmentation", "SegmentationError", "Segmenter", "build_segmenter"]


class LineSegmenter:
    """The learned segmenter: line features → CRF line labels → Items; the rules only where it finds none."""

    def __init__(self, config: SegmentConfig, labeller: LineLabeller, version: str, start_threshold: float = 0.35,
                 transcripts: str = "rules_first"):
        self.vocab = Vocabulary(config)
        self.featurizer = LineFeaturizer(self.vocab)
        self.decoder = LineDecoder(self.vocab, self.featurizer.glued_heading_re, self.featurizer.heading_word_re,
                                   self.featurizer.furniture_re, self.featurizer.shape)
        self.builder = ItemBuilder(self.vocab)
        self.labeller = labeller
        self.version = version
        self.start_threshold = start_threshold
        self.transcripts = transcripts  # "rules_first": PDF transcripts go to the rules, the model where they find none
        self.rules = Segmenter(config)

    def line_features(self, source: SourceText):
        """The document's lines and their features (with the rule segmenter's verdicts among them)."""
        return line_features(source, self.featurizer, self.rules)

    def label_lines(self, source: SourceText, lines=None, features=None):
        if lines is None:
            lines, features = self.line_features(source)
        labels, probabilities = self.labeller.predict_one(features)
        return lines, labels, probabilities

    def segment(self, source: SourceText, lines=None, features=None) -> Segmentation:
        """Items of a document; `lines` and `features` may be given when already computed (training)."""
        text = source.text
        limit = source.body_end or len(text)
        flat = source.transcript or is_flat(text[:limit])
        if flat and self.transcripts == "rules_first":
            # a PDF transcript's pages are single lines: the rules read them inline
            try:
                segmentation = self.rules.segment(source)
                segmentation.info["segmenter"] = "rules (PDF transcript)"
                return segmentation
            except SegmentationError:
                pass
        lines, labels, probabilities = self.label_lines(source, lines, features)
        detector = f"model:{self.version}"
        labels = self.decoder.posterior_starts(labels, probabilities, self.start_threshold)
        headings, sections, dropped = self.decoder.decode(text, lines, labels, detector)
        if not headings:
            segmentation = self.rules.segment(source)  # raises SegmentationError when the rules find none either
            segmentation.info["segmenter"] = "rules (the model found no item)"
            return segmentation
        items = self.builder.build_items(text, limit, headings, flat, sections)
        start_probability = {lines[i].start: start_probability_of(p) for i, p in enumerate(probabilities)}
        for item in items:
            item.confidence["segment"] = round(start_probability.get(item.spans["item"][0], 0.0), 4)
        info = {"segmenter": detector, "lines": len(lines), "cut_items_dropped": dropped, "flat": flat}
        return Segmentation(items, headings[0].start, info)


def start_probability_of(marginals: dict[str, float]) -> float:
    """The probability that a line starts an item (as a titled or an untitled item)."""
    return sum(p for label, p in marginals.items() if label in ("T", "S") or label.startswith("S-"))


def line_features(source: SourceText, featurizer: LineFeaturizer, rules: Segmenter):
    text = source.text
    limit = source.body_end or len(text)
    lines = featurizer.lines(text, limit, source.transcript or is_flat(text[:limit]))
    try:
        hints = rule_hints(rules.segment(source).items, lines)
    except SegmentationError:
        hints = {}
    return lines, featurizer.features(text, lines, hints)


def build_segmenter(config: SegmentConfig, model_dir: str | Path | None):
    """The learned segmenter when its model folder holds a trained model, else the rule segmenter."""
    if LineLabeller.exists(model_dir):
        meta = json.loads((Path(model_dir) / META_FILE).read_text(encoding="utf-8"))
        return LineSegmenter(config, LineLabeller.load(Path(model_dir)), meta.get("version", Path(model_dir).name),
                             meta.get("start_threshold", 0.35), meta.get("transcripts", "rules_first"))
    return Segmenter(config)
