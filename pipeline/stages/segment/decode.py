"""Decoding: item headings and their sections into `Item`s (title, number, case number, Indstilling and
Beslutning spans). The learned segmenter and the rule fallback both end here, so an item means the same
whichever found it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipeline.records import Item, Span, squash
from pipeline.stages.segment.vocabulary import SHORT_LINE, Vocabulary
from pipeline.stages.text import sentences


@dataclass
class Heading:
    start: int  # where the item begins (heading line start)
    title_span: Span | None  # None: an item whose title is not printed (or not on this page)
    number: int | None
    detector: str


@dataclass
class Section:
    kind: str  # "recommendation" | "decision" | "absence" | "other"
    heading: Span
    body: Span
    heading_text: str = ""


class ItemBuilder:
    """Turns headings (and their sections) into Items with the vocabulary's title, case-number and section rules."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab

    def build_items(self, text: str, limit: int, headings: list[Heading], flat: bool,
                    sections: list[list[Section]] | None = None) -> list[Item]:
        """Items from their headings; each item's sections are given (a model labelled them) or found by the
        heading vocabulary. An item without a title (title_span None) keeps title None."""
        uses_prefix_separator = any(
            h.title_span and (m := self.vocab.prefix_re.match(text[h.title_span[0] : h.title_span[1]]))
            and m.group("sep").strip()
            for h in headings
        )
        decision_dates = Counter()
        item_sections = []
        for index, heading in enumerate(headings):
            end = headings[index + 1].start if index + 1 < len(headings) else limit
            body_start = heading.title_span[1] if heading.title_span else heading.start
            if index + 1 == len(headings):
                appendix = self.vocab.appendix_re.search(text, body_start, end)
                if appendix:
                    end = appendix.start()
            end = rstrip_offset(text, heading.start, end)
            found = sections[index] if sections is not None else self.sections(text, body_start, end, flat)
            found = [s for s in found if s.heading[0] < end]
            for section in found:
                if section.kind == "decision":
                    decision_dates.update(dates_in(section.heading_text))
            item_sections.append((heading, end, found))
        meeting_date = decision_dates.most_common(1)[0][0] if decision_dates else None

        items = []
        for position, (heading, end, sections) in enumerate(item_sections, start=1):
            item = Item(number=heading.number if heading.number is not None else position, title=None)
            item.spans["item"] = (heading.start, end)
            first_section = sections[0].heading[0] if sections else end
            after_title = heading.start
            case = None
            if heading.title_span:
                title, title_span, item.title_prefix = self.clean_title(text, heading, uses_prefix_separator)
                in_title = self.vocab.title_case_re.search(text, title_span[0], title_span[1])
                if in_title:  # "Valg af ... (2023-0012345)": the case number printed in the title
                    item.case_number, item.spans["case_number"] = in_title.group("case"), in_title.span("case")
                    title_span = (title_span[0], in_title.start())
                    title = squash(text[title_span[0] : title_span[1]])
                item.title, item.spans["title"] = title, title_span
                after_title = title_span[1]
            if item.case_number is None and heading.title_span and heading.title_span[0] > heading.start:
                # the item opens with a case-number line above its title ("Sagsnr.: ... / Title")
                case = self.find_case_number(text[heading.start : heading.title_span[0]])
                case_base = heading.start
            if item.case_number is None and case is None:
                case = self.find_case_number(text[after_title : min(max(first_section, after_title), after_title + 600)])
                case_base = after_title
            if case:
                value, (s, e) = case
                item.case_number = value
                item.spans["case_number"] = (case_base + s, case_base + e)
            elif heading.detector == "case_label":
                label = self.vocab.case_label_line_re.match(text, heading.start)
                if label:
                    item.case_number = label.group("value")
                    item.spans["case_number"] = label.span("value")
            recommendation = next((s for s in sections if s.kind == "recommendation"), None)
            if recommendation:
                item.spans["recommendation_heading"] = recommendation.heading
                span = self.recommendation_span(text, recommendation.body)
            else:  # "Forvaltningen indstiller, at ..." printed without an Indstilling heading
                span = self.unheaded_recommendation(text, after_title, end, [s.heading[0] for s in sections])
            if span:
                item.recommendation = squash(text[span[0] : span[1]])
                item.spans["recommendation"] = span
            decisions = [s for s in sections if s.kind == "decision"]
            if decisions:
                chosen = next((s for s in decisions if meeting_date in dates_in(s.heading_text)), decisions[-1])
                if decisions[0].heading[1] > decisions[0].heading[0]:  # a decision without heading has none
                    item.spans["decision_heading"] = decisions[0].heading
                span = self.decision_span(text, chosen.body)
                if span:
                    item.decision = squash(text[span[0] : span[1]])
                    item.spans["decision"] = span
            item.provenance["segment"] = heading.detector
            items.append(item)
        return items

    def clean_title(self, text: str, heading: Heading, uses_prefix_separator: bool = True) -> tuple[str, Span, str | None]:
        start, end = heading.title_span
        raw = text[start:end]
        leader = self.vocab.leader_re.search(raw)
        if leader:
            end = start + leader.start()
        raw = text[start:end].rstrip(" .\t")
        end = start + len(raw)
        prefix = None
        m = self.vocab.prefix_re.match(raw)
        if m:
            if m.group("sep").strip():
                prefix = m.group("prefix")
                start += m.start("rest")
            elif uses_prefix_separator:
                prefix = m.group("prefix")
        return squash(text[start:end]), (start, end), prefix

    def find_case_number(self, region: str) -> tuple[str, Span] | None:
        label = self.vocab.case_label_re.search(region)
        if label:
            for pattern in self.vocab.case_number_res:
                m = pattern.match(region, label.end())
                if m:
                    return m.group(0), m.span()
        for pattern in self.vocab.case_number_res:
            m = pattern.search(region)
            if m:
                return m.group(0), m.span()
        return None

    def sections(self, text: str, start: int, end: int, flat: bool) -> list[Section]:
        pattern = self.vocab.flat_heading_re if flat else self.vocab.line_heading_re
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

    def recommendation_span(self, text: str, body: Span) -> Span | None:
        """The Indstilling's 'at ...' clauses, to the end of the section. A clause starts a line, follows a
        sentence end or the word 'indstiller'; numbered clauses ("1. at ...") win over a lead-in such as
        "indstiller til udvalget at anbefale over for byrådet"."""
        start, end = body
        starts = []
        for m in re.finditer(r"(?P<num>\d{1,2}[.)][ \t]*|[-•–][ \t]*)?\b(?:at|At|AT)\s", text[start:end]):
            before = text[start : start + m.start()].rstrip(" \t")
            if (
                not before.strip()
                or before.endswith(("\n", ".", ":", ";"))
                or PROPOSES_RE.search(before)
            ):
                starts.append((bool(m.group("num") and m.group("num")[0].isdigit()), start + m.start()))
        if not starts:
            return None
        numbered = [position for is_numbered, position in starts if is_numbered]
        return (numbered or [starts[0][1]])[0], rstrip_offset(text, start, end)

    def unheaded_recommendation(self, text: str, start: int, end: int, headings: list[int]) -> Span | None:
        """An Indstilling printed without its heading: from the line whose lead-in proposes ("X indstiller, at
        ...", "X foreslår over for Y:") to the next section heading (its clauses may follow on their own lines)."""
        for m in re.finditer(r"(?m)^[^\n]{0,200}?\b(?:indstille[rs]?|foreslår|anbefaler)\b[^\n]{0,120}?(?:,\s*|\s+|:\s*)"
                             r"(?=(?:\d{1,2}[.)]\s*)?(?:at|At)\s|:?\s*\n)", text[start:end]):
            stop = min([h for h in headings if h > start + m.end()] + [end])
            span = self.recommendation_span(text, (start + m.start(), stop))
            if span:
                return span
        return None

    def decision_span(self, text: str, body: Span) -> Span | None:
        """The decision text without the standing absence notes at its start or end."""
        units = sentences(text, *body)
        while units and self.is_absence(text[units[0][0] : units[0][1]]):
            units.pop(0)
        while units and self.is_absence(text[units[-1][0] : units[-1][1]]):
            units.pop()
        if not units:
            return None
        return units[0][0], units[-1][1]

    def is_absence(self, sentence: str) -> bool:
        sentence = sentence.strip()
        return any(p.search(sentence) for p in self.vocab.absence_sentence_res)


# "Direktøren indstiller, at", "Forvaltningen foreslår til udvalget, at": a lead-in that opens the Indstilling
PROPOSES_RE = re.compile(r"\b(?:indstille[rs]?|foreslår|anbefaler)\b(?:\s+(?:til|over for|overfor)\s+[^.\n]{1,120}?)?[,:]?$",
                         re.I)


def is_flat(text: str) -> bool:
    """Transcripts carry whole pages on one line: most text sits in very long lines."""
    long_chars = sum(len(line) for line in text.split("\n") if len(line) > 600)
    return long_chars > 0.5 * max(1, len(text))


def rstrip_offset(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def dates_in(heading: str) -> list[str]:
    return re.findall(r"\d{1,2}[.\-/]\s?\d{1,2}[.\-/]\d{2,4}", heading)


# -------------------------------------------------------------------- line labels → headings and sections

_NUMBERING = re.compile(
    r"^[\s•·*>\-–]*(?:(?:Punkt|Pkt\.?|Nr\.?|Sag nr\.?|Sagnr\.?|åbent?|lukket|Side)\s*)?(?P<num>\d{1,4}(?!\d)(?![.,]\d))?"
    r"(?:\s*[.:)\-–](?!\d))?\s*",
    re.I,
)
_SECTION_KINDS = {"rec": "recommendation", "dec": "decision", "sec": "other", "case": "other"}


def split_numbering(line: str) -> tuple[int | None, int]:
    """An item heading's number and where its title starts ("Nr.143 - Godkendelse" → (143, 9))."""
    m = _NUMBERING.match(line)
    number = int(m.group("num")) if m and m.group("num") else None
    return number, m.end() if m else 0


class LineDecoder:
    """Line labels (learn/line_labels.py) into the headings and sections ItemBuilder makes Items of.

    An item starts at a T line (its title) or an S- line (an untitled item's first line); H- lines are its
    section headings. A heading's own text ends where its vocabulary word does when the text is glued to it
    ("BeslutningGodkendt.", "Indstilling: at ..."). Page furniture ends a section's text. A last item with
    nothing under its title (the page was cut after the heading) is dropped unless it is a closed item, whose
    content is never published.
    """

    def __init__(self, vocab: Vocabulary, glued_heading_re: re.Pattern, heading_word_re: re.Pattern,
                 furniture_re, shape=None):
        self.vocab = vocab
        self.shape = shape  # a line's numbering shape and number (features.py), for numbering continuity
        self.glued_heading_re = glued_heading_re
        self.heading_word_re = heading_word_re
        self.furniture_re = furniture_re
        self.leading_code_re = re.compile(r"\d{2}\.\d{2}\.\d{2}(?:-[A-ZÆØÅ]\d{2}-\d+-\d{2})?\s+(?=\S)")
        suffixes = "|".join(re.escape(s) for s in vocab.config.title_suffixes)
        # case-sensitive: "Godkendelse af dagsordenReferat" is cut, "Godkendelse af referat" is a title
        self.title_suffix_re = re.compile(rf"\s*(?:{suffixes})\s*$") if suffixes else None

    def heading_extent(self, text: str, start: int, end: int) -> int:
        """Where a heading line's heading ends: after its vocabulary word when its text follows on the line
        ("Indstilling: at ...", "BeslutningGodkendt."), else at the line end ("Beslutning i Byrådet den ...")."""
        line = text[start:end]
        m = self.vocab.line_heading_re.match(line)
        if m:
            return start + m.end() if m.group("tail").strip().startswith(":") and line[m.end():].strip() else end
        glued = self.glued_heading_re.match(line)
        return start + glued.end() if glued else end

    def _title_span(self, text: str, start: int, end: int) -> tuple[int | None, Span]:
        number, offset = split_numbering(text[start:end])
        begin = start + offset
        code = self.leading_code_re.match(text, begin, end)  # "00.01.00 Title": a journal code before the title
        if code:
            begin = code.end()
        if self.title_suffix_re:
            suffix = self.title_suffix_re.search(text, begin, end)
            if suffix and suffix.start() > begin:
                end = suffix.start()
        return number, (begin, end)

    def _furniture(self, text: str, line) -> bool:
        """Navigation and page furniture: short lines only (as features.py reads them)."""
        return line.end - line.start <= SHORT_LINE and bool(self.furniture_re.search(text[line.start : line.end]))

    def _not_a_title(self, text: str, line) -> bool:
        piece = text[line.start : line.end]
        return self._furniture(text, line) or bool(
            re.fullmatch(r"(?:Åben|Åbent|Lukket)(?: punkt| sag)?", piece.strip(), re.I))

    def _vocabulary_role(self, text: str, line) -> str | None:
        """The section an untitled item's first line opens, by the heading vocabulary ("Beslutning", and
        "Regionsrådets beslutning den ...:" where the word comes later in a short line)."""
        piece = text[line.start : line.end]
        m = self.vocab.line_heading_re.match(piece)
        if m:
            return "rec" if m.group("rec") else "dec" if m.group("dec") else "sec"
        if self.glued_heading_re.match(piece):
            return "sec"
        word = self.heading_word_re.search(piece[:60])
        if word and len(piece) <= 120:
            return "dec" if self.vocab.line_heading_re.match(word.group(0)).group("dec") else "rec"
        return None

    def _nearby_number(self, text: str, lines, indices: list[int]) -> int | None:
        for index in indices:
            if 0 <= index < len(lines):
                line = text[lines[index].start : lines[index].end]
                m = re.match(r"(?:[•·*]\s*(?P<a>\d{1,4})\.?\s*$|(?:Sag nr\.?|Pkt\.?|Punkt)\s*(?P<b>\d{1,4})\b)", line, re.I)
                if m:
                    return int(m.group("a") or m.group("b"))
        return None

    @staticmethod
    def posterior_starts(labels: list[str], marginals: list[dict[str, float]], threshold: float) -> list[str]:
        """Item starts by their marginal probability, not only the single best label sequence: a line whose
        probability of starting an item reaches `threshold` and is not below its neighbours' starts one (titled
        when T is likelier than an untitled start); a best-path start below the threshold does not."""
        def start_p(m: dict[str, float]) -> float:
            return sum(p for label, p in m.items() if label in ("T", "S") or label.startswith("S-"))

        probability = [start_p(m) for m in marginals]
        out = list(labels)
        if probability and max(probability) < threshold and not any(l in ("T", "S") or l.startswith("S-") for l in labels):
            # a page holds at least one item: where none reaches the threshold, the likeliest start is one
            threshold = max(probability) if max(probability) >= 0.02 else threshold
        for i, p in enumerate(probability):
            is_start = labels[i] in ("T", "S") or labels[i].startswith("S-")
            local_max = all(p >= probability[j] for j in (i - 1, i + 1) if 0 <= j < len(probability))
            if p >= threshold and local_max and not is_start:
                m = marginals[i]
                untitled = max(("S", "S-rec", "S-dec"), key=lambda label: m.get(label, 0.0))
                out[i] = "T" if m.get("T", 0.0) >= m.get(untitled, 0.0) else untitled
            elif is_start and p < threshold:
                out[i] = "I"
        return out

    def decode(self, text: str, lines, labels: list[str], detector: str) -> tuple[list[Heading], list[list[Section]], int]:
        """Headings, each item's sections, and how many items cut off after their heading were dropped."""
        starts = []
        inside = False
        for i, label in enumerate(labels):
            if label in ("T", "S") or label.startswith("S-"):
                starts.append(i)
                inside = True
            elif label == "O":
                inside = False
            elif not inside and label in ("H-title", "H-case", "H-rec", "H-dec"):
                starts.append(i)  # an item's heading with no item open: the item began here unseen
                inside = True
        starts = self.continue_numbering(text, lines, labels, starts)
        starts = self.within_numbering(text, lines, labels, self.split_after_decisions(text, lines, labels, starts))
        headings: list[Heading] = []
        sections: list[list[Section]] = []
        contentless: list[bool] = []
        dropped = 0
        for k, first in enumerate(starts):
            last = (starts[k + 1] if k + 1 < len(starts) else len(lines)) - 1
            span = None
            number = None
            title_index = first if labels[first] == "T" else next(
                (i for i in range(first + 1, last + 1) if labels[i] == "H-title"), None)
            while title_index is not None and self._not_a_title(text, lines[title_index]):
                # navigation and status lines are never titles: the title is the next line, if near
                title_index = title_index + 1 if title_index + 1 <= min(last, first + 3) else None
            body_from = first + 1
            if title_index is not None:
                title_end = title_index
                while title_end + 1 <= last and labels[title_end + 1] == "TC":
                    title_end += 1
                number, span = self._title_span(text, lines[title_index].start, lines[title_end].end)
                if span[0] >= span[1]:  # a number alone on the heading line: the title is on the next line
                    span = None
                    following = title_end + 1
                    if following <= last and labels[following] in ("I", "TC", "H-title") \
                            and not self._vocabulary_role(text, lines[following]) \
                            and not self._not_a_title(text, lines[following]) \
                            and lines[following].end - lines[following].start <= 250:
                        span = (lines[following].start, lines[following].end)
                        title_end = following
                body_from = max(body_from, title_end + 1)
            if number is None:
                number = self._nearby_number(text, lines, [first - 1, first, first + 1, first + 2])
            marks = []
            for i in range(first, last + 1):
                label = labels[i]
                role = label[2:] if label.startswith(("H-", "S-")) else self._vocabulary_role(text, lines[i]) if label == "S" else None
                if label == "D" and i != title_index:
                    marks.append((i, "implicit-decision"))  # a result or vote recorded without a heading
                elif role in _SECTION_KINDS and not (i == title_index):
                    kind = _SECTION_KINDS[role]
                    m = self.vocab.line_heading_re.match(text[lines[i].start : lines[i].end])
                    if m and m.group("abs"):
                        kind = "absence"
                    marks.append((i, kind))
                elif self._furniture(text, lines[i]):
                    marks.append((i, "furniture"))
            found = []
            for n, (i, kind) in enumerate(marks):
                implicit = kind == "implicit-decision"
                heading_end = lines[i].start if implicit else self.heading_extent(text, lines[i].start, lines[i].end)
                kind = "decision" if implicit else kind
                body_end = lines[marks[n + 1][0]].start if n + 1 < len(marks) else lines[last].end
                if kind == "furniture":
                    continue
                if found and found[-1].kind == kind and not text[found[-1].body[0] : found[-1].body[1]].strip():
                    # "Indstilling" / "Direktøren indstiller," / "at ...": a lead-in under its heading is
                    # part of that section, not a second one that leaves the first empty
                    found[-1].body = (found[-1].body[0], body_end)
                    continue
                found.append(Section(kind, (lines[i].start, heading_end), (heading_end, body_end),
                                     "" if implicit else text[lines[i].start : lines[i].end]))
            has_content = any(labels[i] != "TC" and not self._furniture(text, lines[i]) for i in range(body_from, last + 1))
            title_text = text[span[0] : span[1]] if span else ""
            if title_index == first and not has_content and not re.search(r"lukket", title_text, re.I):
                dropped += 1
                continue
            headings.append(Heading(lines[first].start, span, number, detector))
            sections.append(found)
            contentless.append(not has_content)
        # a closed item with nothing under it whose number is not below the next item's is a line of a list of
        # items (a table of contents), not an item
        keep = [not (contentless[k] and headings[k].number is not None and k + 1 < len(headings)
                     and headings[k + 1].number is not None and headings[k + 1].number <= headings[k].number)
                for k in range(len(headings))]
        dropped += keep.count(False)
        return ([h for h, kept in zip(headings, keep) if kept], [s for s, kept in zip(sections, keep) if kept],
                dropped)

    def split_after_decisions(self, text: str, lines, labels: list[str], starts: list[int]) -> list[int]:
        """A repeated opener starts the next item: an Indstilling heading after an item's decision, where the
        item opened with an Indstilling heading or the same status or case-number line opens both (a layout
        whose items print no title). The new item starts at the heading, or at the status, case-number or
        title-like lines right above it. (An Indstilling quoted in an item's history after its decision
        does not open an item.)"""
        def key(i: int) -> str:
            return re.sub(r"\d+", "0", text[lines[i].start : lines[i].end]).strip().lower()

        out: list[int] = []
        for k, first in enumerate(starts):
            out.append(first)
            openers = {key(i) for i in range(max(0, first - 2), min(len(lines), first + 3))}
            rec_opened = labels[first] == "S-rec" or labels[first] == "H-rec" or (
                first + 1 < len(labels) and labels[first + 1] in ("H-rec", "S-rec") and self._not_a_title(text, lines[first]))
            end = starts[k + 1] if k + 1 < len(starts) else len(lines)
            decided = False
            for i in range(first + 1, end):
                role = labels[i][2:] if labels[i].startswith(("H-", "S-")) else None
                if labels[i] == "D" or role == "dec":
                    decided = True
                elif role == "rec" and decided:
                    start = i
                    while start - 1 > out[-1] and (self._not_a_title(text, lines[start - 1])
                                                   or labels[start - 1] == "H-case"):
                        start -= 1
                    if not rec_opened and not (start < i and key(start) in openers):
                        continue
                    above = lines[start - 1] if start - 1 > out[-1] else None
                    piece = text[above.start : above.end] if above else ""
                    if above and labels[start - 1] in ("I", "H-title") and len(piece) <= 150 \
                            and not piece.rstrip().endswith((".", ":")) and piece[:1].isupper() \
                            and not self._vocabulary_role(text, above):
                        start -= 1
                        labels[start] = "T"
                    else:
                        labels[start] = "S-rec" if start == i else "S"
                    out.append(start)
                    decided = False
        return out

    def within_numbering(self, text: str, lines, labels: list[str], starts: list[int]) -> list[int]:
        """Numbered items partition what lies between them: between item N and item N+1 (in the same numbering
        shape) no untitled item starts (an Indstilling quoted in item N's history is not an item)."""
        if self.shape is None:
            return starts
        numbered = {i: self.shape(text[lines[i].start : lines[i].end]) for i in starts if labels[i] == "T"}
        drop = set()
        ordered = [i for i in starts if numbered.get(i, (None, None))[1] is not None]
        for a, b in zip(ordered, ordered[1:]):
            if numbered[a][0] == numbered[b][0] and numbered[b][1] == numbered[a][1] + 1:
                drop |= {i for i in starts if a < i < b and labels[i] != "T"}
        return [i for i in starts if i not in drop]

    def continue_numbering(self, text: str, lines, labels: list[str], starts: list[int]) -> list[int]:
        """Numbering continuity: inside an item numbered N in some shape, a title-like line numbered N+1 in the
        same shape starts the next item; a start numbered like the items before it but restarting below them
        inside an item's body is a list, not an item."""
        if self.shape is None:
            return starts
        shapes = {}

        def shape(i: int):
            if i not in shapes:
                shapes[i] = self.shape(text[lines[i].start : lines[i].end])
            return shapes[i]

        out: list[int] = []
        skip_until = -1
        for k, first in enumerate(starts):
            if first < skip_until:
                continue
            kind, number = shape(first)
            previous = shape(out[-1]) if out else (None, None)
            if kind and number is not None and previous[0] == kind and previous[1] is not None \
                    and number <= previous[1] and first - out[-1] > 2:
                # "1. ..." after item 7 in the same shape, and item 8 comes later: a list inside item 7's body
                resume = next((j for j in starts[k + 1 :] if shape(j) == (kind, previous[1] + 1)), None)
                if resume is not None:
                    skip_until = resume
                    continue
            out.append(first)
            if not kind or number is None:
                continue
            end = starts[k + 1] if k + 1 < len(starts) else len(lines)
            for i in range(first + 2, end):
                candidate = shape(i)
                piece = text[lines[i].start : lines[i].end]
                if candidate == (kind, number + 1) and labels[i] in ("I", "H-title", "H-sec") \
                        and len(piece) <= 200 and not piece.rstrip().endswith((".", ",", ";")):
                    out.append(i)
                    labels[i] = "T"
                    kind, number = candidate
        return out
