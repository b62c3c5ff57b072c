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
from pipeline.stages.text import sentences


class SegmentationError(Exception):
    """No agenda item could be found."""


@dataclass
class Heading:
    start: int  # where the item begins (heading line start)
    title_span: Span
    number: int | None
    detector: str


@dataclass
class Section:
    kind: str  # "recommendation" | "decision" | "absence" | "other"
    heading: Span
    body: Span
    heading_text: str = ""


@dataclass
class Segmentation:
    items: list[Item]
    header_end: int  # the meeting header (metadata) lies before this offset
    info: dict = field(default_factory=dict)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class Segmenter:
    """Segments documents with the vocabulary of a SegmentConfig (compiled once, reused per document)."""

    def __init__(self, config: SegmentConfig):
        self.config = config
        prefixes = _alternation(list(config.type_prefixes))
        self.prefix_re = re.compile(rf"^(?P<prefix>{prefixes})(?P<sep>\s*[:\-–]\s*|\s+)(?P<rest>\S.*)$", re.S)
        words = _alternation(config.item_words)
        self.item_word_re = re.compile(
            rf"(?m)^[ \t]*(?:{words})[ \t]*(?P<num>\d{{1,4}})[ \t]*[:.\-–)]?[ \t]+(?P<title>\S[^\n]*?)[ \t]*$"
        )
        self.case_header_re = re.compile(r"(?m)^[ \t]*(?P<title>\S[^\n]{2,250}?)\s+(?:Åben|Lukket) sag\b")
        self.numbered_re = re.compile(
            r"(?m)^[ \t]*(?P<num>\d{1,4})[ \t]*[.)][ \t]+(?P<title>[A-ZÆØÅ][^\n]{2,200}?)[ \t]*$"
        )
        labels = _alternation(config.case_number_labels)
        self.case_label_line_re = re.compile(rf"(?m)^[ \t]*(?:{labels})[ \t]*:?[ \t]*(?P<value>\S+)[^\n]*$")
        self.case_number_res = [re.compile(p) for p in config.case_number_patterns]
        self.case_label_re = re.compile(rf"(?:{labels})\s*:?\s*")
        cases = "|".join(f"(?:{p})" for p in config.case_number_patterns)
        self.title_case_re = re.compile(rf"\s*\((?:(?:{labels})\s*:?\s*)?(?P<case>{cases})\)\s*$")
        self.appendix_re = re.compile("|".join(f"(?:{p})" for p in config.appendix_patterns), re.M)
        self.absence_sentence_res = [re.compile(p, re.I) for p in config.absence_sentence_patterns]
        toc = _alternation(config.toc_headings)
        self.toc_re = re.compile(rf"(?m)^[ \t]*(?:{toc})\b[ \t]*:?")
        self.flat_toc_re = re.compile(rf"\b(?:{toc})\b[ \t]*:?")
        self.leader_re = re.compile(r"(?:\.{3,}|…+|\t| {3,})\s*\d{1,3}\s*$")

        rec = _alternation(config.recommendation_headings)
        dec = _alternation(config.decision_headings)
        other = _alternation(config.other_headings)
        absence = _alternation(config.absence_headings)
        # A heading alone on its line, a decision heading naming the body and date, or "Heading: text".
        tail = (
            r"(?P<tail>[ \t]*:?[ \t]*$|[ \t]+(?:i|for|fra|på)[ \t]+[^\n]{0,140}$|[ \t]+[^\n]{0,140}?\bden\b[^\n]{0,30}$"
            r"|[ \t]+[^\n]{0,140}?\d{1,2}[.\-/]\s?\d{1,2}[.\-/]\d{2,4}[ \t]*$|[ \t]*:[ \t]*(?=\S))"
        )
        self.line_heading_re = re.compile(
            rf"(?mi)^[ \t]*(?:(?P<rec>{rec})|(?P<dec>{dec})|(?P<abs>{absence})|(?P<other>{other})){tail}"
        )
        # In transcripts whole pages are one line: headings are found inline by their context.
        date = r"(?:\s+\d{1,2}[.\-/]\s?\d{1,2}[.\-/]\d{2,4}|\s+\d{1,2}\.?\s+[a-zæøå]+\s+\d{4})?"
        self.flat_heading_re = re.compile(
            rf"(?P<rec>\b(?:{rec})\s+(?=[^.]{{0,200}}?\bindstille[rs]\b))"
            rf"|(?P<dec>\b(?:{dec})\s+(?:(?:i|for|fra)\s+)?[^.\n]{{0,120}}?\bden\b{date})"
            rf"|(?P<other>\b(?:{other})\b(?=\s+[A-ZÆØÅ]))"
        )

    # ---------------------------------------------------------------- public

    def segment(self, source: SourceText) -> Segmentation:
        text = source.text
        limit = source.body_end or len(text)
        flat = source.transcript or _is_flat(text[:limit])
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
        info: dict = {"detector": detector if headings else "single_item", "flat": flat}
        if toc_titles:
            headings, toc_info = self._cross_check_toc(text, limit, headings, toc_titles, toc_span)
            info.update(toc_info)
        if not headings:
            headings = self._single_item(text, limit, flat)
        if not headings:
            raise SegmentationError("no agenda item found (no item headings, no Indstilling/Beslutning sections)")
        items = self._build_items(text, limit, headings, flat)
        header_end = min([headings[0].start] + ([toc_span[0]] if toc_span else []))
        return Segmentation(items, header_end, info)

    # ---------------------------------------------------------------- detectors

    def _item_word_headings(self, text: str, limit: int) -> list[Heading]:
        found = [
            Heading(m.start(), self._extend_title(text, m.span("title"), limit), int(m.group("num")), "item_word")
            for m in self.item_word_re.finditer(text, 0, limit)
            if _looks_like_title(m.group("title"))
        ]
        return _increasing(found)

    def _extend_title(self, text: str, span: Span, limit: int) -> Span:
        """A long title wraps onto the next line, which then starts in lower case ("... for etablering af nye
        / bofællesskaber for ældre"); such continuation lines belong to the title."""
        start, end = span
        while True:
            m = re.match(r"\n[ \t]*([a-zæøå][^\n]{0,200}?)[ \t]*(?=\n|$)", text[end:limit])
            if not m or self.line_heading_re.match(m.group(1)) or m.group(1).startswith(("at ", "- ")):
                return start, end
            end += m.end(1)

    def _case_header_headings(self, text: str, limit: int) -> list[Heading]:
        return [
            Heading(m.start(), m.span("title"), None, "case_header")
            for m in self.case_header_re.finditer(text, 0, limit)
            if _looks_like_title(m.group("title")) and not self.appendix_re.match(m.group("title"))
        ]

    def _numbered_headings(self, text: str, limit: int, flat: bool) -> list[Heading]:
        if flat:
            return []
        found = [
            Heading(m.start(), self._extend_title(text, m.span("title"), limit), int(m.group("num")), "numbered")
            for m in self.numbered_re.finditer(text, 0, limit)
            if _looks_like_title(m.group("title")) and not m.group("title").rstrip().endswith((".", ",", ";"))
            and not self.leader_re.search(m.group(0))
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
        for m in self.case_label_line_re.finditer(text, 0, limit):
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
            if self.line_heading_re.match(line) or not _looks_like_title(line) or len(line) > 250:
                return None
            if re.fullmatch(r"[A-ZÆØÅ]{2,5}|[xX]", line):  # committee-code columns of web exports
                return None
            return (start, start + len(line))
        return None

    def _single_item(self, text: str, limit: int, flat: bool) -> list[Heading]:
        """A page that publishes one agenda item: its title is the last title-like line before the sections."""
        sections = self._sections(text, 0, limit, flat)
        first = next((s for s in sections if s.kind in ("recommendation", "decision")), None)
        if first is None:
            return []
        for m in reversed(list(re.finditer(r"(?m)^[ \t]*(\S[^\n]*?)[ \t]*$", text[: first.heading[0]]))):
            line = m.group(1)
            if (
                _looks_like_title(line)
                and len(line) <= 250
                and not self.line_heading_re.match(line)
                and not re.match(r"^[^:]{1,30}:\s", line)
                and not line.endswith(".")
            ):
                number = re.match(r"(\d{1,3})[.)]\s+", line)
                start = m.start(1) + (number.end() if number else 0)
                return [Heading(m.start(1), (start, m.end(1)), int(number.group(1)) if number else None, "single")]
        return [Heading(0, (first.heading[0], first.heading[0]), None, "single")]

    # ---------------------------------------------------------------- support and TOC

    def _support(self, text: str, limit: int, headings: list[Heading], toc_titles: list[str], flat: bool) -> float:
        """How well the text backs a detector's headings: each heading with a case number or an
        Indstilling/Beslutning under it counts one, each one matching the table of contents one more."""
        score = 0.0
        for index, heading in enumerate(headings):
            end = headings[index + 1].start if index + 1 < len(headings) else limit
            region = text[heading.title_span[1] : end]
            sections = self._sections(text, heading.title_span[1], end, flat)
            if any(s.kind in ("recommendation", "decision") for s in sections) or self._find_case_number(region):
                score += 1
            if toc_titles and _best_toc_match(self._clean_title(text, heading)[0], toc_titles)[1] >= 85:
                score += 1
        return score

    def _table_of_contents(self, text: str, limit: int, flat: bool) -> tuple[Span | None, list[str]]:
        m = (self.flat_toc_re if flat else self.toc_re).search(text, 0, limit)
        if not m:
            return None, []
        if flat:
            line_end = text.find("\n", m.end())
            line_end = limit if line_end < 0 else line_end
            body = text[m.end() : line_end]
            prefixes = _alternation(list(self.config.type_prefixes))
            pieces = re.split(rf"(?:\.{{3,}}\s*\d+|(?=\b(?:{prefixes})\s*:))", body)
            titles = []
            for piece in pieces:
                piece = re.sub(r"^\s*(?:Side\s+)?(?:\d+\.?\s+)?", "", piece or "").strip()
                if _looks_like_title(piece) and len(piece) < 250 and not self.appendix_re.match(piece):
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
            entry = self.leader_re.sub("", line).strip()
            entry = re.sub(r"^\d{1,3}[.)]?\s+", "", entry)
            if (
                len(line) > 250
                or self.item_word_re.match(line)
                or (titles and squash(entry).lower() == titles[0].lower())
            ):
                break
            if not self.leader_re.search(line) and (line.endswith(".") or not _looks_like_title(entry)):
                break
            titles.append(squash(entry))
            lead_lines += bool(self.leader_re.search(line) or re.match(r"\d{1,3}[.)]?\s", line))
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
            index, score = _best_toc_match(self._clean_title(text, heading)[0], toc_titles)
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

    def _build_items(self, text: str, limit: int, headings: list[Heading], flat: bool) -> list[Item]:
        uses_prefix_separator = any(
            (m := self.prefix_re.match(text[h.title_span[0] : h.title_span[1]])) and m.group("sep").strip()
            for h in headings
        )
        decision_dates = Counter()
        item_sections = []
        for index, heading in enumerate(headings):
            end = headings[index + 1].start if index + 1 < len(headings) else limit
            if index + 1 == len(headings):
                appendix = self.appendix_re.search(text, heading.title_span[1], end)
                if appendix:
                    end = appendix.start()
            end = _rstrip_offset(text, heading.start, end)
            sections = self._sections(text, heading.title_span[1], end, flat)
            for section in sections:
                if section.kind == "decision":
                    decision_dates.update(_dates_in(section.heading_text))
            item_sections.append((heading, end, sections))
        meeting_date = decision_dates.most_common(1)[0][0] if decision_dates else None

        items = []
        for position, (heading, end, sections) in enumerate(item_sections, start=1):
            title, title_span, prefix = self._clean_title(text, heading, uses_prefix_separator)
            item = Item(number=heading.number if heading.number is not None else position, title=title)
            item.title_prefix = prefix
            item.spans["item"] = (heading.start, end)
            first_section = sections[0].heading[0] if sections else end
            case = self._find_case_number(text[title_span[1] : min(first_section, title_span[1] + 600)])
            in_title = self.title_case_re.search(text, title_span[0], title_span[1])
            if in_title:  # "Valg af ... (2023-0012345)": the case number printed in the title
                item.case_number, item.spans["case_number"] = in_title.group("case"), in_title.span("case")
                title_span = (title_span[0], in_title.start())
                item.title = squash(text[title_span[0] : title_span[1]])
                case = None
            item.spans["title"] = title_span
            if case:
                value, (s, e) = case
                item.case_number = value
                item.spans["case_number"] = (title_span[1] + s, title_span[1] + e)
            elif heading.detector == "case_label":
                label = self.case_label_line_re.match(text, heading.start)
                if label:
                    item.case_number = label.group("value")
                    item.spans["case_number"] = label.span("value")
            recommendation = next((s for s in sections if s.kind == "recommendation"), None)
            if recommendation:
                item.spans["recommendation_heading"] = recommendation.heading
                span = self._recommendation_span(text, recommendation.body)
                if span:
                    item.recommendation = squash(text[span[0] : span[1]])
                    item.spans["recommendation"] = span
            decisions = [s for s in sections if s.kind == "decision"]
            if decisions:
                chosen = next((s for s in decisions if meeting_date in _dates_in(s.heading_text)), decisions[-1])
                item.spans["decision_heading"] = decisions[0].heading
                span = self._decision_span(text, chosen.body)
                if span:
                    item.decision = squash(text[span[0] : span[1]])
                    item.spans["decision"] = span
            item.provenance["segment"] = heading.detector
            items.append(item)
        return items

    def _clean_title(self, text: str, heading: Heading, uses_prefix_separator: bool = True) -> tuple[str, Span, str | None]:
        start, end = heading.title_span
        raw = text[start:end]
        leader = self.leader_re.search(raw)
        if leader:
            end = start + leader.start()
        raw = text[start:end].rstrip(" .\t")
        end = start + len(raw)
        prefix = None
        m = self.prefix_re.match(raw)
        if m:
            if m.group("sep").strip():
                prefix = m.group("prefix")
                start += m.start("rest")
            elif uses_prefix_separator:
                prefix = m.group("prefix")
        return squash(text[start:end]), (start, end), prefix

    def _find_case_number(self, region: str) -> tuple[str, Span] | None:
        label = self.case_label_re.search(region)
        if label:
            for pattern in self.case_number_res:
                m = pattern.match(region, label.end())
                if m:
                    return m.group(0), m.span()
        for pattern in self.case_number_res:
            m = pattern.search(region)
            if m:
                return m.group(0), m.span()
        return None

    def _sections(self, text: str, start: int, end: int, flat: bool) -> list[Section]:
        pattern = self.flat_heading_re if flat else self.line_heading_re
        marks = []
        for m in pattern.finditer(text, start, end):
            kind = next(k for k in ("rec", "dec", "abs", "other") if m.groupdict().get(k))
            marks.append((m.start(), m.end(), kind, m.group(0)))
        kinds = {"rec": "recommendation", "dec": "decision", "abs": "absence", "other": "other"}
        sections = []
        for index, (s, e, kind, heading_text) in enumerate(marks):
            body_end = marks[index + 1][0] if index + 1 < len(marks) else end
            sections.append(Section(kinds[kind], (s, e), (e, body_end), heading_text))
        return sections

    def _recommendation_span(self, text: str, body: Span) -> Span | None:
        """The Indstilling's 'at ...' clauses, to the end of the section. A clause starts a line, follows a
        sentence end or the word 'indstiller'; numbered clauses ("1. at ...") win over a lead-in such as
        "indstiller til udvalget at anbefale over for byrådet"."""
        start, end = body
        starts = []
        for m in re.finditer(r"(?P<num>\d{1,2}[.)][ \t]*|[-•–][ \t]*)?\bat\s", text[start:end]):
            before = text[start : start + m.start()].rstrip(" \t")
            if (
                not before.strip()
                or before.endswith(("\n", ".", ":", ";"))
                or re.search(r"\bindstille[rs]?\b(?:\s+til\s+[^.\n]{1,120}?)?[,:]?$", before)
            ):
                starts.append((bool(m.group("num") and m.group("num")[0].isdigit()), start + m.start()))
        if not starts:
            return None
        numbered = [position for is_numbered, position in starts if is_numbered]
        return (numbered or [starts[0][1]])[0], _rstrip_offset(text, start, end)

    def _decision_span(self, text: str, body: Span) -> Span | None:
        """The decision text without the standing absence notes at its start or end."""
        units = sentences(text, *body)
        while units and self._is_absence(text[units[0][0] : units[0][1]]):
            units.pop(0)
        while units and self._is_absence(text[units[-1][0] : units[-1][1]]):
            units.pop()
        if not units:
            return None
        return units[0][0], units[-1][1]

    def _is_absence(self, sentence: str) -> bool:
        sentence = sentence.strip()
        return any(p.search(sentence) for p in self.absence_sentence_res)


# -------------------------------------------------------------------- helpers


def _is_flat(text: str) -> bool:
    """Transcripts carry whole pages on one line: most text sits in very long lines."""
    long_chars = sum(len(line) for line in text.split("\n") if len(line) > 600)
    return long_chars > 0.5 * max(1, len(text))


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


def _rstrip_offset(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _dates_in(heading: str) -> list[str]:
    return re.findall(r"\d{1,2}[.\-/]\s?\d{1,2}[.\-/]\d{2,4}", heading)
