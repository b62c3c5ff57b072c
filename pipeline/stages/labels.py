"""Item type and topics from trained models (configs/models.yaml) where present, else from the rule
baselines; each label records the model version (or rule) that gave it, and its confidence."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.config import ModelPaths, PipelineConfig, load_taxonomy
from pipeline.records import Document
from pipeline.stages.textcat import TextClassifier
from pipeline.stages.topics import Lexicon


class ItemLabeller:
    def __init__(self, paths: ModelPaths | None, config: PipelineConfig):
        self.taxonomy = load_taxonomy()
        self.lexicon = Lexicon(self.taxonomy)
        self.thresholds = {t.label: t.threshold for t in self.taxonomy.topics}
        self.type_words = list(config.segment.type_prefixes)
        self.type_model, self.type_version = self._load(paths.type if paths else None)
        self.topic_model, self.topic_version = self._load(paths.topics if paths else None)

    def _load(self, path: str | None) -> tuple[TextClassifier | None, str | None]:
        path = ModelPaths.resolve(path)
        if not path or not (Path(path) / "classifier.json").exists():
            return None, None
        card = Path(path) / "model_card.json"
        version = json.loads(card.read_text(encoding="utf-8"))["version"] if card.exists() else Path(path).name
        return TextClassifier.load(Path(path), self.taxonomy), version

    def label(self, document: Document) -> None:
        from pipeline.stages.item_text import topic_text, type_text

        items = document.items
        if not items:
            return
        if self.type_model:
            texts = [type_text(document, item, self.type_words) for item in items]
            for item, (label, probability) in zip(items, self.type_model.predict(texts)):
                item.type = label
                item.confidence["type"] = round(probability, 4)
                item.provenance["type"] = f"model:{self.type_version}"
        topic_texts = [topic_text(document, item) for item in items]
        if self.topic_model:
            probabilities = self.topic_model.predict_proba(topic_texts)
            for item, row in zip(items, probabilities):
                scores = dict(zip(self.topic_model.labels, (float(p) for p in row)))
                item.topics = [l for l in self.taxonomy.labels if scores.get(l, 0.0) >= self.thresholds[l]]
                item.confidence["topics"] = {l: round(scores.get(l, 0.0), 4) for l in self.taxonomy.labels}
                item.provenance["topics"] = f"model:{self.topic_version}"
        else:
            for item, text in zip(items, topic_texts):
                item.topics = self.lexicon.substantial(text)
                item.provenance["topics"] = "rules:lexicon"
