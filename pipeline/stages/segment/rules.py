"""Segment: split a document's normalised text into agenda items and their sections.

Item headings are found by several structural detectors (numbered "Punkt N:" headings, "Åben sag"
case headers, numbered lines, case-number label blocks); the detector whose headings are best
supported by the text (a case number or section under them, agreement with the table of contents)
wins. The table of contents, where present, cross-checks the titles and is never emitted as items.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from pipeline.config import SegmentConfig
from pipeline.records import Item, SourceText, Span, squash
from pipeline.stages.segment.decode import Heading, ItemBuilder, is_flat
from pipeline.stages.segment.vocabulary import Vocabulary, alternation
from pipeline.stages.text import sentences


class SegmentationError(Exception):
    """No agenda item could be found."""


@dataclass
class Segmentation:
    items: list[Item]
    header_end: int  # the meeting header (metadata) lies before this offset
    info: dict = field(default_factory=dict)


class Segmenter:
    """Segments documents with the vocabulary of a SegmentConfig (compiled once, reused per document)."""

    def __init__(self, config: SegmentConfig):
        self.config = config
        self.vocab = Vocabulary(config)
        self.builder = ItemBuilder(self.vocab)

    # ---------------------------------------------------------------- public

    def segment(self, source: SourceText) -> Segmentation:
        text = source.text
        limit = source.body_end or len(text)
        flat = source.transcript or is_flat(text[:limit])
        toc_span, toc_titles = self._table_of_contents(text, limit, flat)
        candidates = {
            "item_word": self._item_word_headings(text, limit),
            "case_header": self._case_header_headings(text, limit),
            "numbered": self._numbered_headings(text, limit, flat),
            "case_label": self._case_label_headings(text, limit),
        }
        candidates = {
            name: [h for h in found if not (toc_span and toc_span[0] <= h.start < toc_span[1])]
            for name, found in candidates.items()
        }
        scores = {name: self._support(text, limit, found, toc_titles, flat) for name, found in candidates.items()}
        detector = max(scores, key=lambda name: (scores[name], -list(candidates).index(name)))
        headings = candidates[detector] if scores[detector] > 0 else []
        info: dict = {"segmenter": "rules", "detector": detector if headings else "single_item", "flat": flat}
        if toc_titles:
            headings, toc_info = self._cross_check_toc(text, limit, headings, toc_titles, toc_span)
            info.update(toc_info)
        if not headings:
            headings = self._single_item(text, limit, flat)
        if not headings:
            raise SegmentationError("no agenda item found (no item headings, no Indstilling/Beslutning sections)")
        items = self.builder.build_items(text, limit, headings, flat)
        header_end = min([headings[0].start] + ([toc_span[0]] if toc_span else []))
        return Segmentation(items, header_end, info)

    # ---------------------------------------------------------------- detectors

    def _item_word_headings(self, text: str, limit: int) -> list[Heading]:
        found = [
            Heading(m.start(), self._extend_title(text, m.span("title"), limit), int(m.group("num")), "item_word")
            for m in self.vocab.item_word_re.finditer(text, 0, limit)
            if _looks_like_title(m.group("title"))
        ]
        return _increasing(found)

    def _extend_title(self, text: str, span: Span, limit: int) -> Span:
        """A long title wraps onto the next line, which then starts in lower case ("... for etablering af nye
        / bofællesskaber for ældre"); such continuation lines belong to the title."""
        start, end = span
        while True:
            m = re.match(r"\n[ \t]*([a-zæøå][^\n]{0,200}?)[ \t]*(?=\n|$)", text[end:limit])
            if not m or self.vocab.line_heading_re.match(m.group(1)) or m.group(1).startswith(("at ", "- ")):
                return start, end
            end += m.end(1)

    def _case_header_headings(self, text: str, limit: int) -> list[Heading]:
        return [
            Heading(m.start(), m.span("title"), None, "case_header")
            for m in self.vocab.case_header_re.finditer(text, 0, limit)
            if _looks_like_title(m.group("title")) and not self.vocab.appendix_re.match(m.group("title"))
        ]

    def _numbered_headings(self, text: str, limit: int, flat: bool) -> list[Heading]:
        if flat:
            return []
        found = [
            Heading(m.start(), self._extend_title(text, m.span("title"), limit), int(m.group("num")), "numbered")
            for m in self.vocab.numbered_re.finditer(text, 0, limit)
            if _looks_like_title(m.group("title")) and not m.group("title").rstrip().endswith((".", ",", ";"))
            and not self.vocab.leader_re.search(m.group(0))
        ]
        # Numbered headings count up by one; pick the consecutive run with the best support.
        runs: list[list[Heading]] = []
        for heading in found:
            for run in runs:
                if run[-1].number == heading.number - 1:
                    run.append(heading)
                    break
            else:
                runs.append([heading])
        if not runs:
            return []
        return max(runs, key=lambda run: (self._support(text, limit, run, [], False), len(run)))

    def _case_label_headings(self, text: str, limit: int) -> list[Heading]:
        found = []
        for m in self.vocab.case_label_line_re.finditer(text, 0, limit):
            title = self._neighbour_title(text, m.end(), limit, forward=True) or self._neighbour_title(
                text, m.start(), 0, forward=False
            )
            if title:
                found.append(Heading(min(m.start(), title[0]), title, None, "case_label"))
        return found

    def _neighbour_title(self, text: str, position: int, bound: int, forward: bool) -> Span | None:
        """The nearest non-empty line after (or before) `position`, if it reads like a title."""
        lines = re.finditer(r"[^\n]+", text[position:bound] if forward else text[bound:position])
        lines = list(lines)
        if not forward:
            lines = lines[::-1]
        for m in lines[:3]:
            line = m.group(0).strip()
            if not line:
                continue
            base = position if forward else bound
            start = base + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            if self.vocab.line_heading_re.match(line) or not _looks_like_title(line) or len(line) > 250:
                return None
            if re.fullmatch(r"[A-ZÆØÅ]{2,5}|[xX]", line):  # committee-code columns of web exports
                return None
            return (start, start + len(line))
        return None

    def _single_item(self, text: str, limit: int, flat: bool) -> list[Heading]:
        """A page that publishes one agenda item: its title is the last title-like line before the sections."""
        sections = self.builder.sections(text, 0, limit, flat)
        first = next((s for s in sections if s.kind in ("recommendation", "decision")), None)
        if first is None:
            return []
        for m in reversed(list(re.finditer(r"(?m)^[ \t]*(\S[^\n]*?)[ \t]*$", text[: first.heading[0]]))):
            line = m.group(1)
            if (
                _looks_like_title(line)
                and len(line) <= 250
                and not self.vocab.line_heading_re.match(line)
                and not re.match(r"^[^:]{1,30}:\s", line)
                and not line.endswith(".")
            ):
                number = re.match(r"(\d{1,3})[.)]\s+", line)
                start = m.start(1) + (number.end() if number else 0)
                return [Heading(m.start(1), (start, m.end(1)), int(number.group(1)) if number else None, "single")]
        return [Heading(0, None, None, "single")]

    # ---------------------------------------------------------------- support and TOC

    def _support(self, text: str, limit: int, headings: list[Heading], toc_titles: list[str], flat: bool) -> float:
        """How well the text backs a detector's headings: each heading with a case number or an
        Indstilling/Beslutning under it counts one, each one matching the table of contents one more."""
        score = 0.0
        for index, heading in enumerate(headings):
            end = headings[index + 1].start if index + 1 < len(headings) else limit
            region = text[heading.title_span[1] : end]
            if flat:
                decided = any(s.kind in ("recommendation", "decision")
                              for s in self.builder.sections(text, heading.title_span[1], end, flat))
            else:  # an Indstilling or Beslutning heading on a line of its own: one search, stopped at the first
                decided = bool(self.vocab.line_rec_dec_re.search(text, heading.title_span[1], end))
            if decided or self.builder.find_case_number(region):
                score += 1
            if toc_titles and _best_toc_match(self.builder.clean_title(text, heading)[0], toc_titles)[1] >= 85:
                score += 1
        return score

    def _table_of_contents(self, text: str, limit: int, flat: bool) -> tuple[Span | None, list[str]]:
        m = (self.vocab.flat_toc_re if flat else self.vocab.toc_re).search(text, 0, limit)
        if not m:
            return None, []
        if flat:
            line_end = text.find("\n", m.end())
            line_end = limit if line_end < 0 else line_end
            body = text[m.end() : line_end]
            prefixes = alternation(list(self.config.type_prefixes))
            pieces = re.split(rf"(?:\.{{3,}}\s*\d+|(?=\b(?:{prefixes})\s*:))", body)
            titles = []
            for piece in pieces:
                piece = re.sub(r"^\s*(?:Side\s+)?(?:\d+\.?\s+)?", "", piece or "").strip()
                if _looks_like_title(piece) and len(piece) < 250 and not self.vocab.appendix_re.match(piece):
                    titles.append(piece)
            return (m.start(), line_end), titles
        titles: list[str] = []
        position = m.end()
        end = position
        blank_run = 0
        lead_lines = 0
        for line_match in re.finditer(r"[^\n]*\n?", text[position:limit]):
            line = line_match.group(0).strip()
            if not line:
                blank_run += 1
                if blank_run > 2 or (titles and blank_run > 1):
                    break
                continue
            blank_run = 0
            entry = self.vocab.leader_re.sub("", line).strip()
            entry = re.sub(r"^\d{1,3}[.)]?\s+", "", entry)
            if (
                len(line) > 250
                or self.vocab.item_word_re.match(line)
                or (titles and squash(entry).lower() == titles[0].lower())
            ):
                break
            if not self.vocab.leader_re.search(line) and (line.endswith(".") or not _looks_like_title(entry)):
                break
            titles.append(squash(entry))
            lead_lines += bool(self.vocab.leader_re.search(line) or re.match(r"\d{1,3}[.)]?\s", line))
            end = position + line_match.end()
        # A real table of contents has page numbers or item numbers on most of its lines.
        if not titles or lead_lines < 0.5 * len(titles):
            return None, []
        return (m.start(), end), titles

    def _cross_check_toc(
        self, text: str, limit: int, headings: list[Heading], toc_titles: list[str], toc_span: Span | None
    ) -> tuple[list[Heading], dict]:
        """Check item titles against the table of contents; recover items the detectors missed."""
        matched = set()
        for heading in headings:
            index, score = _best_toc_match(self.builder.clean_title(text, heading)[0], toc_titles)
            if score >= 85:
                matched.add(index)
        missing = [t for i, t in enumerate(toc_titles) if i not in matched]
        recovered = []
        if headings and len(matched) >= 0.5 * len(toc_titles):
            search_from = toc_span[1] if toc_span else 0
            for title in missing:
                m = re.search(rf"(?m)^[ \t]*(?:\d{{1,3}}[.)]?\s+)?({re.escape(title)})[ \t]*$", text[search_from:limit])
                if m:
                    start = search_from + m.start()
                    if all(abs(h.start - start) > 3 for h in headings):
                        recovered.append(Heading(start, (search_from + m.start(1), search_from + m.end(1)), None, "toc"))
        if recovered:
            headings = sorted(headings + recovered, key=lambda h: h.start)
        info = {
            "toc_entries": len(toc_titles),
            "toc_matched": len(matched) + len(recovered),
            "toc_missing": [t for t in missing if not any(text[h.title_span[0] : h.title_span[1]] == t for h in recovered)],
        }
        return headings, info

    # ---------------------------------------------------------------- items and sections

# -------------------------------------------------------------------- helpers


def _looks_like_title(line: str) -> bool:
    line = line.strip()
    return len(line) >= 3 and bool(re.search(r"[a-zæøåA-ZÆØÅ]{3,}", line)) and not line.startswith(("-", "•", "*"))


def _increasing(headings: list[Heading]) -> list[Heading]:
    """Keep headings whose numbers increase (a later 'Punkt 3' cross-reference is not a new item)."""
    kept: list[Heading] = []
    for heading in headings:
        if not kept or heading.number > kept[-1].number:
            kept.append(heading)
    return kept


def _best_toc_match(title: str, toc_titles: list[str]) -> tuple[int, float]:
    scores = [max(fuzz.ratio(title.lower(), t.lower()), fuzz.token_set_ratio(title.lower(), t.lower()) - 5) for t in toc_titles]
    if not scores:
        return -1, 0.0
    best = max(range(len(scores)), key=scores.__getitem__)
    return best, scores[best]
