"""The text a classifier sees of an item: for the type, its content with the printed type word removed; for
topics, its title and the start of its text, where the subject is stated (a long case text mentions
everything once). Shared by training (learn/) and labelling (stages/labels.py)."""

from __future__ import annotations

import re

from pipeline.records import Document, Item, squash

# How much of the case text (before the Indstilling and Beslutning) the type model reads: where the
# Indstilling is missing (a page cut before it) the case text still says whether the committee is informed,
# asked to discuss or to decide.
CASE_CHARS = 600
COMMITTEE_TOKEN = "committeename"


def type_text(document: Document, item: Item, type_words: list[str]) -> str:
    """What a type model sees: content only, the printed type word ("Orientering - ", "Beslutningssag:")
    removed (not the title's own words: "Orientering om ..." stays); sections marked so features can tell
    the Indstilling from the Beslutning and the case text (see parse_type_text)."""
    words = "|".join(re.escape(w) for w in sorted(type_words, key=len, reverse=True))
    title = re.sub(rf"^(?:{words})\s*[:\-–]\s*", "", item.title or "", flags=re.I)
    return (f"{title}\n\nIndstilling: {item.recommendation or ''}\n\nBeslutning: {item.decision or ''}"
            f"\n\nSag: {case_text(document, item)}")


def case_text(document: Document, item: Item, max_chars: int = CASE_CHARS) -> str:
    """The item's text after its title (and case number), up to its Indstilling or Beslutning."""
    start, end = item.spans["item"]
    sections = ("recommendation_heading", "decision_heading", "recommendation", "decision")
    stop = min([item.spans[k][0] for k in sections if k in item.spans] + [end])
    begin = (item.spans.get("case_number") or item.spans.get("title") or (start, start))[1]
    return squash(document.source.text[begin:max(begin, stop)])[:max_chars]


def parse_type_text(text: str) -> Item:
    """The item a type text was made from (title, recommendation, decision; the case text is not kept)."""
    title, _, rest = text.partition("\n\nIndstilling: ")
    recommendation, _, rest = rest.partition("\n\nBeslutning: ")
    decision, _, _ = rest.partition("\n\nSag: ")
    return Item(0, title, recommendation=recommendation or None, decision=decision or None)


def topic_text(document: Document, item: Item, max_chars: int = 3000) -> str:
    """The item's title and the start of its text, the name of the meeting's committee replaced by one token
    (COMMITTEE_NAME): a council named for a topic ("Integrationsrådet") is not itself evidence of the topic
    (its "Godkendelse af dagsorden" is about nothing), while its strategy may be; the model learns which from
    the words around it, and the seed-term lexicon does not count it."""
    start, end = item.spans["item"]
    text = (item.title or "") + "\n\n" + squash(document.source.text[start:end])[:max_chars]
    committee = (document.committee or "").strip()
    if len(committee) >= 4:
        text = re.sub(rf"\b{re.escape(committee)}\w*", COMMITTEE_TOKEN, text, flags=re.I)
    return text
