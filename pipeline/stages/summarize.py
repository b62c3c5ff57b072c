"""Summaries: at most 60 words per item, in Danish, faithful to the item's text.

The default is extractive and decision-aware: the item's case text is split into sentences (text.py), the
sentences are ranked by closeness to the item's centroid and title (with a small bonus for a key figure),
and the best ones that fit are followed by what was decided (from the outcome) and who dissented (from the
positions). An abstractive model from a local seq2seq checkpoint can be used instead; whatever produced a
summary, one with a number or a name that is not in the item's text is replaced by the extractive one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from pipeline.records import Document, Item, squash
from pipeline.stages.text import sentences, tokens

MAX_WORDS = 60
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[\wæøåÆØÅ]+")
# Sections whose sentences do not describe the case.
_BOILERPLATE = re.compile(
    r"^(?:sagen (?:har ikke|giver ikke|afgøres)|ingen bemærkninger|ingen\.?$|ikke relevant|se bilag|bilag\b|"
    r"sagen har relation til|center for [\w ]+ har udarbejdet dette|udvalget (?:orienteres|præsenteres) )",
    re.I,
)
_MARKUP = re.compile(r"</?[a-zA-Z][^>\n]{0,40}>|\[([^\]\n]{1,80})\]\([^)\n]*\)")
# Transcripts run headings into the text ("Beskæftigelsesudvalget Indledning I Helsingør ..."): drop them.
_LEADING_HEADING = re.compile(
    r"^(?:\S+\s+){0,3}?(?:Indledning|Sagsfremstilling|Sagsresume|Sagsresumé|Resumé|Resume|Baggrund|Beskrivelse|"
    r"Beslutningstema|Sagens indhold)\s+(?=[A-ZÆØÅ0-9])"
)
_STOPWORDS = set(
    "og i at er der til af for en på det som med de den ikke om et har skal kan vil blev var fra ved ud så "
    "eller også men sig sin sine hvis når efter under over kun alle være bliver mellem samt dette denne disse".split()
)


def words(text: str) -> list[str]:
    return text.split()


def truncate_words(text: str, limit: int) -> str:
    parts = text.split()
    return text if len(parts) <= limit else " ".join(parts[:limit]).rstrip(",;:.") + "…"


@dataclass
class Summary:
    text: str
    method: str  # "extractive" | "abstractive" | "extractive-fallback"


class ExtractiveSummarizer:
    """Decision-aware extractive summaries (see module docstring)."""

    def __init__(self, max_words: int = MAX_WORDS, title_weight: float = 0.5, figure_bonus: float = 0.15,
                 position_weight: float = 0.3, max_sentences: int = 2):
        self.max_words = max_words
        self.title_weight, self.figure_bonus = title_weight, figure_bonus
        self.position_weight, self.max_sentences = position_weight, max_sentences

    # -- sentences of the case (before the Indstilling and Beslutning)

    def case_sentences(self, document: Document, item: Item) -> list[str]:
        start, end = item.spans["item"]
        sections = ("recommendation_heading", "decision_heading", "recommendation", "decision")
        stop = min([item.spans[k][0] for k in sections if k in item.spans] + [end])
        begin = (item.spans.get("case_number") or item.spans.get("title") or (start, start))[1]
        text = _MARKUP.sub("", document.source.text[begin:stop])
        out = []
        for paragraph in re.split(r"\n\s*\n", text):
            paragraph = _LEADING_HEADING.sub("", squash(paragraph))
            # headings, labels and committee codes are not prose: prose ends a sentence or runs long
            if len(words(paragraph)) < 4 or (not paragraph.endswith((".", "!", "?", ":")) and len(words(paragraph)) < 12):
                continue
            for s, e in sentences(paragraph, 0, len(paragraph)):
                sentence = paragraph[s:e]
                if len(words(sentence)) >= 4 and not _BOILERPLATE.match(sentence):
                    out.append(sentence)
        return out

    def rank(self, sentences: list[str], title: str) -> list[float]:
        """Centroid similarity (TF-IDF within the item) + title overlap + key-figure bonus + early position."""
        bags = [Counter(t for t in tokens(s) if t not in _STOPWORDS) for s in sentences]
        document_frequency = Counter(t for bag in bags for t in bag)
        n = len(sentences)

        def vector(bag: Counter) -> dict[str, float]:
            return {t: c * math.log(1 + n / document_frequency[t]) for t, c in bag.items()}

        vectors = [vector(bag) for bag in bags]
        centroid = Counter()
        for v in vectors:
            centroid.update(v)
        title_tokens = {t for t in tokens(title) if t not in _STOPWORDS}
        centroid_norm = math.sqrt(sum(v * v for v in centroid.values()))
        scores = []
        for position, (sentence, v) in enumerate(zip(sentences, vectors)):
            similarity = _cosine(v, centroid, centroid_norm)
            overlap = len(title_tokens & set(v)) / max(1, len(title_tokens))
            figure = self.figure_bonus if _NUMBER.search(sentence) else 0.0
            scores.append(similarity + self.title_weight * overlap + figure + self.position_weight / (1 + position))
        return scores

    # -- what was decided, and who dissented

    @staticmethod
    def decision_sentence(item: Item, body: str | None = None) -> str:
        """What was decided, claiming nothing the item does not say: the Indstilling is named only where the
        item has one, the deciding body only as the item names it (`body`), else the decision's own words."""
        decision = squash(item.decision or "")
        if item.type == "Meddelelser" or item.outcome == "none":
            # announcements: the decision text says what was announced, unless it only notes them
            return "" if re.fullmatch(r"(?:ad [\d\s,.-]+)?(?:orientering foretaget|taget til efterretning)\.?", decision, re.I) \
                else truncate_words(decision, 40)
        short = re.fullmatch(r"(?P<what>[A-ZÆØÅ][\wæøå]+) (?:blev )?godkendt\.?", decision)
        if short and short.group("what").lower() not in ("indstillingen", "godkendt"):
            return f"{short.group('what')} blev godkendt."
        approval = re.fullmatch(r"Godkendelse af (?P<what>.+)", item.title or "")
        if approval and re.fullmatch(r"godkendt\.?", decision, re.I):  # "Godkendelse af dagsorden": "Godkendt."
            return f"{approval.group('what')[0].upper()}{approval.group('what')[1:]} blev godkendt."
        if item.outcome == "noted":
            return "Orienteringen blev taget til efterretning." if item.type != "Meddelelser" else decision
        if item.outcome == "approved" and item.recommendation:  # what was approved, in the Indstilling's words
            anbefal = re.search(r"\banbefal", decision, re.I)
            if body:
                return f"{body} {'anbefalede' if anbefal else 'godkendte'}, {truncate_words(item.recommendation, 30)}"
            return f"Indstillingen blev {'anbefalet' if anbefal else 'godkendt'}: {truncate_words(item.recommendation, 30)}"
        if item.outcome in ("rejected", "fell") and item.recommendation:
            return {"rejected": "Indstillingen blev ikke godkendt.",
                    "fell": "Indstillingen bortfaldt pga. stemmelighed."}[item.outcome]
        if item.outcome == "discussed":
            return "Sagen blev drøftet."
        if item.outcome == "postponed" and re.match(r"(?:sagen blev )?udsat", decision, re.I):
            return "Sagen blev udsat."
        return truncate_words(decision, 30) if decision else ""

    @staticmethod
    def dissent_sentence(item: Item) -> str:
        phrases = {"against": "stemte imod", "abstain": "undlod at stemme",
                   "minority_proposal": "stemte for et forslag, der faldt", "reservation": "tog forbehold"}
        parts = []
        for stance, phrase in phrases.items():
            group = [p for p in item.positions if p.stance == stance]
            who = list(dict.fromkeys(
                (", ".join(p.members) + f" ({p.party})" if p.members and p.party else p.party or ", ".join(p.members))
                for p in group
            ))
            who = [w for w in who if w]
            if who:
                names = who[0] if len(who) == 1 else ", ".join(who[:-1]) + " og " + who[-1]
                reason = next((p.rationale for p in group if p.rationale), None)
                # the stated reason, in its own words (shortened), after the stance it belongs to
                parts.append(f"{names} {phrase}" + (f": {truncate_words(reason, 15).rstrip('.')}" if reason else ""))
        return ("; ".join(parts) + ".") if parts else ""

    @staticmethod
    def absence_sentence(document: Document, item: Item) -> str:
        """The agenda approval is where minutes record who sent apologies ("Afbud fra ...")."""
        if not re.match(r"godkendelse af dagsorden", item.title or "", re.I) or not document.absent:
            return ""
        start, end = item.spans["item"]
        names = [n for n in document.absent if n in document.source.text[start:end]]
        if not names:
            return ""
        return (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]) + " havde meldt afbud."

    def summarize(self, document: Document, item: Item) -> Summary:
        body = deciding_body(document.source.text, item)
        closing = " ".join(s for s in (self.decision_sentence(item, body), self.dissent_sentence(item),
                                       self.absence_sentence(document, item)) if s)
        budget = self.max_words - len(words(closing))
        sentences = self.case_sentences(document, item)
        chosen: list[int] = []
        if sentences and budget > 0:
            scores = self.rank(sentences, item.title or "")
            used = 0
            for index in sorted(range(len(sentences)), key=lambda i: -scores[i]):
                length = len(words(sentences[index]))
                if used + length <= budget and len(chosen) < self.max_sentences:
                    chosen.append(index)
                    used += length
            if not chosen:  # every sentence is longer than the budget: cut the best one
                best = max(range(len(sentences)), key=scores.__getitem__)
                return Summary(" ".join(filter(None, (truncate_words(sentences[best], budget), closing))),
                               "extractive")
        content = " ".join(sentences[i] for i in sorted(chosen))
        text = " ".join(filter(None, (content, closing))) or (item.title or "") + "."
        return Summary(truncate_words(text, self.max_words), "extractive")


def _cosine(a: dict[str, float], b: dict[str, float], b_norm: float) -> float:
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * b_norm
    return dot / norm if norm else 0.0


def ungrounded(summary: str, source: str) -> list[str]:
    """Numbers and names in `summary` that do not occur in `source` (the item's text). Names are
    capitalised words not at a sentence start; the template words of the decision sentences are allowed."""
    source_numbers = {n.rstrip(".,") for n in _NUMBER.findall(source)}
    source_words = set(_WORD.findall(source))
    missing = [n for n in _NUMBER.findall(summary) if n.rstrip(".,") not in source_numbers]
    for sentence in re.split(r"(?<=[.!?;:])\s+", summary):
        for word in _WORD.findall(sentence)[1:]:
            if word[0].isupper() and word not in source_words and word not in _TEMPLATE_WORDS:
                missing.append(word)
    return missing


_TEMPLATE_WORDS = {"Orienteringen", "Indstillingen", "Sagen"}
# A deciding body as minutes name it ("Byrådet", "Social- og Sundhedsudvalget", "Økonomiudvalget").
_BODY = re.compile(r"\b(?:[A-ZÆØÅ][\w-]*(?:\s+og\s+[\w-]+)?)?(?:udvalget|Udvalget|Byrådet|Kommunalbestyrelsen|Regionsrådet|"
                   r"Magistraten|Borgerrepræsentationen|[A-ZÆØÅ]\w*rådet)\b")
_APPROVAL = re.compile(r"\b(?:godkendte|godkendt|anbefalede|anbefalet|tiltrådte|tiltrådt|vedtog|vedtaget)\b", re.I)


def deciding_body(text: str, item: Item) -> str | None:
    """The body that decided, as the item names it: in its decision heading ("Beslutning i Byrådet den ...") or
    its decision ("Økonomiudvalget anbefaler ..."); None where the item names none."""
    for key in ("decision_heading", "decision"):
        if key in item.spans:
            start, end = item.spans[key]
            m = _BODY.search(text, start, end)
            if m:
                return m.group(0)
    return None


def claim_problems(summary: str, source: str, recommendation: str | None, outcome: str | None) -> list[str]:
    """Claims of a summary's sentences that the item does not back (sentences quoted from the item are its
    own words): naming an Indstilling the item lacks, an approval where none was decided, a deciding body the
    item does not name."""
    flat = squash(source)
    problems = []
    for sentence in re.split(r"(?<=[.!?])\s+", summary.strip()):
        if not sentence or squash(sentence).rstrip(".…") in flat:
            continue
        if re.search(r"\bindstillingen\b", sentence, re.I) and not recommendation:
            problems.append(f"names an Indstilling the item does not have: {sentence!r}")
        if _APPROVAL.search(sentence) and outcome != "approved" and not re.search(r"\bikke\b", sentence):
            problems.append(f"claims an approval the decision does not record: {sentence!r}")
        for body in _BODY.findall(sentence):
            if body not in source and body.lower() not in source.lower():
                problems.append(f"names a body the item does not name: {body!r}")
    return problems


class Summarizer:
    """The summarisation stage: extractive by default, abstractive when a checkpoint is configured, every
    summary checked for grounding against the item's text."""

    def __init__(self, abstractive: "AbstractiveSummarizer | None" = None, max_words: int = MAX_WORDS):
        self.extractive = ExtractiveSummarizer(max_words)
        self.abstractive = abstractive
        self.max_words = max_words

    def summarize(self, document: Document, item: Item) -> Summary:
        start, end = item.spans["item"]
        source = document.source.text[start:end]
        if self.abstractive:
            candidate = truncate_words(self.abstractive.generate(squash(source)), self.max_words)
            if candidate.strip() and not ungrounded(candidate, source):
                return Summary(candidate, "abstractive")
            fallback = self.extractive.summarize(document, item)
            return Summary(fallback.text, "extractive-fallback")
        return self.extractive.summarize(document, item)

    def label(self, document: Document) -> None:
        for item in document.items:
            summary = self.summarize(document, item)
            item.summary = summary.text
            item.provenance["summary"] = summary.method


class AbstractiveSummarizer:
    """A seq2seq model (AutoModelForSeq2SeqLM, or a BERT2BERT EncoderDecoderModel) from a local directory."""

    def __init__(self, checkpoint: str, max_input_tokens: int = 512, max_new_tokens: int = 96):
        from pathlib import Path

        from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer, EncoderDecoderModel

        if not Path(checkpoint).is_dir():
            raise FileNotFoundError(f"summarisation checkpoint directory not found: {checkpoint!r} (no downloads)")
        self.tokenizer = AutoTokenizer.from_pretrained(checkpoint, local_files_only=True)
        config = AutoConfig.from_pretrained(checkpoint, local_files_only=True)
        loader = EncoderDecoderModel if config.model_type == "encoder-decoder" else AutoModelForSeq2SeqLM
        self.model = loader.from_pretrained(checkpoint, local_files_only=True).eval()
        self.max_input_tokens = max_input_tokens
        self.max_new_tokens = max_new_tokens

    def generate(self, text: str) -> str:
        import torch

        encoded = self.tokenizer(text, truncation=True, max_length=self.max_input_tokens, return_tensors="pt")
        encoded.pop("token_type_ids", None)
        with torch.no_grad():
            output = self.model.generate(**encoded, max_new_tokens=self.max_new_tokens, num_beams=2)
        return self.tokenizer.decode(output[0], skip_special_tokens=True).strip()


class LeadSummarizer(ExtractiveSummarizer):
    """Baseline: the item's first case sentences, up to the word limit."""

    def summarize(self, document: Document, item: Item) -> Summary:
        chosen, used = [], 0
        for sentence in self.case_sentences(document, item) or [squash(item.decision or item.title or "")]:
            if used + len(words(sentence)) > self.max_words:
                break
            chosen.append(sentence)
            used += len(words(sentence))
        return Summary(" ".join(chosen) or truncate_words(squash(item.decision or item.title or ""), self.max_words), "lead")


class TextRankSummarizer(ExtractiveSummarizer):
    """Baseline: plain TextRank (PageRank over sentence word overlap), top sentences in text order."""

    def summarize(self, document: Document, item: Item) -> Summary:
        sentences = self.case_sentences(document, item) + [squash(item.decision or "")]
        sentences = [s for s in sentences if s]
        if not sentences:
            return Summary(item.title or "", "textrank")
        bags = [set(tokens(s)) - _STOPWORDS for s in sentences]
        n = len(sentences)
        weight = [[len(bags[i] & bags[j]) / (math.log(len(bags[i]) + 1) + math.log(len(bags[j]) + 1) + 1e-9)
                   if i != j else 0.0 for j in range(n)] for i in range(n)]
        rank = [1.0 / n] * n
        for _ in range(30):
            rank = [0.15 / n + 0.85 * sum(weight[j][i] / (sum(weight[j]) or 1) * rank[j] for j in range(n))
                    for i in range(n)]
        chosen, used = [], 0
        for index in sorted(range(n), key=lambda i: -rank[i]):
            if used + len(words(sentences[index])) <= self.max_words:
                chosen.append(index)
                used += len(words(sentences[index]))
        text = " ".join(sentences[i] for i in sorted(chosen))
        return Summary(text or truncate_words(sentences[0], self.max_words), "textrank")
