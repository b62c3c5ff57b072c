"""The text a classifier sees of an item: for the type, its content with the printed type word removed; for
topics, its title and the start of its text, where the subject is stated (a long case text mentions
everything once). Shared by training (learn/) and labelling (stages/labels.py)."""

from __future__ import annotations

import re
from functools import lru_cache

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
    case = case_text(document, item)
    return (f"{title}\n\nIndstilling: {item.recommendation or ''}\n\nBeslutning: {item.decision or ''}"
            f"\n\nSag: {case}\n\nKontekst: {' '.join(context_tokens(document, item, case))}")


def _share(count: int, total: int) -> str:
    share = count / total if total else 0.0
    return "none" if share == 0 else "low" if share < 0.4 else "mid" if share < 0.8 else "high"


def context_tokens(document: Document, item: Item, case: str) -> list[str]:
    """The item in its document, as words a model learns from: how many of the document's items print an
    Indstilling and a decision (an item with only a case description among items that have both is likely an
    orientation), whether this one does, and the cues of its case text ("til orientering", "drøfte")."""
    items = document.items
    tokens = [f"ctxdocrec{_share(sum(bool(i.recommendation) for i in items), len(items))}",
              f"ctxdocdec{_share(sum(bool(i.decision) for i in items), len(items))}",
              "ctxitemrec" if item.recommendation else "ctxitemnorec", "ctxitemdec" if item.decision else "ctxitemnodec"]
    if not item.recommendation and not item.decision:
        tokens.append("ctxonlycase")
    cues = _cues()
    for token, patterns in cues.items():
        if any(p.search(case) for p in patterns):
            tokens.append(token)
    return tokens


@lru_cache(maxsize=1)
def _cues() -> dict[str, list[re.Pattern]]:
    """Cue words of the case text, from the type vocabulary of configs/pipeline.yaml (classify)."""
    from pipeline.config import load_pipeline_config

    config = load_pipeline_config().classify
    return {"ctxcueorient": [re.compile(p, re.I) for p in config.orientation_patterns],
            "ctxcuediscuss": [re.compile(p, re.I) for p in config.discussion_patterns],
            "ctxcuedecide": [re.compile(p, re.I) for p in config.outcome_patterns.get("approved", [])]}


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
