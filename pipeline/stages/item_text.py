"""The text a classifier sees of an item: for the type, its content with the printed type word removed; for
topics, its title and the start of its text, where the subject is stated (a long case text mentions
everything once). Shared by training (learn/) and labelling (stages/labels.py)."""

from __future__ import annotations

import re

from pipeline.records import Document, Item, squash


def type_text(item: Item, type_words: list[str]) -> str:
    """What a type model sees: content only, the printed type word ("Orientering - ", "Beslutningssag:")
    removed; sections marked so features can tell the Indstilling from the Beslutning (see parse_type_text)."""
    words = "|".join(re.escape(w) for w in sorted(type_words, key=len, reverse=True))
    title = re.sub(rf"^(?:{words})\b\s*[:\-–]?\s*", "", item.title or "", flags=re.I)
    return f"{title}\n\nIndstilling: {item.recommendation or ''}\n\nBeslutning: {item.decision or ''}"


def parse_type_text(text: str) -> Item:
    """The item a type text was made from (title, recommendation, decision)."""
    title, _, rest = text.partition("\n\nIndstilling: ")
    recommendation, _, decision = rest.partition("\n\nBeslutning: ")
    return Item(0, title, recommendation=recommendation or None, decision=decision or None)


def topic_text(document: Document, item: Item, max_chars: int = 3000) -> str:
    start, end = item.spans["item"]
    return (item.title or "") + "\n\n" + squash(document.source.text[start:end])[:max_chars]
