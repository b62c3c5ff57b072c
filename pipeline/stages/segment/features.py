"""Line features: what a line of minutes looks like and says, for the line labeller (model.py) to decide on.

A document is cut into lines (a PDF transcript, whose pages are single lines, into sentence-like pieces at
heading words). Each line is described by binary features: numbering shapes ("Punkt 3:", "Pkt. 42",
"Nr.143 -", "1 : Title", "• 1", "01.", "258Godkendelse"), case-number labels, section headings (alone, with a
committee and date, glued to their text as in "BeslutningGodkendt."), page furniture, capitalisation and length,
whether its words come again later (a table of contents) or came before, whether its number continues the
previous one, the old rule detectors' verdicts, and its position; then the same of its neighbours. The
features say nothing of any one municipality: a new publisher is new training data, not new code.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipeline.stages.segment.vocabulary import SHORT_LINE, AnyOf, Vocabulary, alternation


@dataclass(frozen=True)
class Line:
    start: int  # offsets of the line's text (stripped) in the normalised text
    end: int
    blank_before: bool  # an empty line (a block boundary) precedes it
    indent: int
    page_start: bool = False  # in a transcript: the first piece of a page


# Item numbering shapes, tried in order; the group "num" is the item number.
_SHAPES = [
    ("item_word", r"(?:Punkt|Pkt\.?|Dagsordenspunkt|Dagsordenpunkt|Sag nr\.?|Sagnr\.?)\s*(?P<num>\d{1,4})\b"),
    ("nr_dash", r"Nr\.?\s?(?P<num>\d{1,4})\s*[-–]"),
    ("status_num", r"(?:åbent?|lukket)\s+(?P<num>\d{1,4})\b"),
    ("bullet_num", r"[•·*]\s*(?P<num>\d{1,4})\.?\s*$"),
    ("num_alone", r"(?P<num>\d{1,4})\.?\s*$"),
    ("num_colon", r"(?P<num>\d{1,4})\s+:\s+\S"),
    ("num_dot", r"(?P<num>\d{1,4})\.\s*(?=[A-ZÆØÅ\"“])"),
    ("num_paren", r"(?P<num>\d{1,4})\)\s+\S"),
    ("num_glued", r"(?P<num>\d{1,4})(?=[A-ZÆØÅ][a-zæøå])"),
    ("num_space", r"(?P<num>\d{1,4})\s+(?=[A-ZÆØÅ\"“])"),
    ("letter_item", r"[A-Z]\.\s+(?=[A-ZÆØÅ])"),
]
_DATE = re.compile(r"\b\d{1,2}[.\-/]\s?\d{1,2}[.\-/]\d{2,4}\b|\b\d{1,2}\.?\s+[a-zæøå]{3,9}\.?,?\s+\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")
_PARTY = re.compile(r"\((?:[A-ZÆØÅ]{1,2}|[A-ZÆØÅ][a-zæøå]+(?: [A-ZÆØÅ][a-zæøå]+)?)\)")
_WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÜüÖö]+")
_BULLET = re.compile(r"[•·*>\-–]\s*")
_TIME = re.compile(r"\bkl\.\s?\d")
_CAPITALS = re.compile(r"[A-ZÆØÅ]")
_CLOSED = re.compile(r"Lukket\s*(?:punkt)?\s*\)?\s*$", re.I)
_NUMBERING_PREFIX = re.compile(r"^[\W\d_]*(?:Punkt|Pkt|Nr|Sag nr)?[\W\d_]*")
_AT_CLAUSE = re.compile(r"(?:\d{1,2}[.)]\s*|[-•·–]\s*)?at\s", re.I)
_PROPOSES = re.compile(r"\bindstille[rs]?\b|\bforeslår\b", re.I)
_STATUS_WORD = re.compile(r"(?:Åben|Åbent|Lukket|Åbent punkt|Lukket punkt|Åben sag)", re.I)


class LineFeaturizer:
    """Features of every line of a document, from the vocabulary of configs/pipeline.yaml."""

    CONTEXT = ("shape=", "sec=", "case_label", "case_only", "furniture", "len=", "blank_before", "repeat_later",
               "records_", "opens_", "chain_",
               "repeat_earlier", "toc_heading", "has_date", "w0=", "det_", "ends_", "title_case", "status_word",
               "num_next", "at_clause", "sec_repeat", "first_heading", "numbered", "rule_", "title_like", "page_start")

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        config = vocab.config
        self.shape_res = [(name, re.compile(pattern, re.I if name in ("status_num", "item_word") else 0))
                          for name, pattern in _SHAPES]
        self.furniture_re = AnyOf(config.furniture_patterns, re.I)
        self.case_pattern_re = re.compile("|".join(f"(?:{p})" for p in config.case_number_patterns))
        headings = (config.recommendation_headings + config.decision_headings + config.other_headings
                    + config.absence_headings)
        self.glued_heading_re = re.compile(rf"^(?:{alternation(headings)})(?=[A-ZÆØÅ0-9])")
        self.heading_word_re = re.compile(
            rf"\b(?:{alternation(config.recommendation_headings + config.decision_headings)})\b", re.I)
        self.case_label_start_re = re.compile(rf"^(?:{alternation(config.case_number_labels)})\s*:?\s*(?P<rest>.*)$", re.I)
        suffixes = alternation(config.title_suffixes)
        self.title_suffix_re = re.compile(rf"(?<=[a-zæøå])(?:{suffixes})\s*$") if suffixes else None
        # what a line records: a result, a vote, a dissenting position (one alternation per kind)
        self.record_res = [(kind, AnyOf(patterns, re.I)) for kind, patterns in config.record_patterns.items() if patterns]
        # Where a transcript's page-long lines are cut into pieces: before a heading word or a case label,
        # before an item number ("Pkt. 5"), and after a sentence end.
        words = alternation(headings + config.case_number_labels)
        # Not after a bare item number ("562. Title" stays one piece), but before one that follows a sentence
        # end or an upper-case word ("... AFGØRELSE 562. Title"), and around page footers ("Side 3").
        self.flat_split_re = re.compile(
            rf"(?<=\S)\s+(?=(?:{words})[\s:])|(?<=[.!?:])(?<![\s\d]\d\.)(?<!\s\d\d\.)(?<!\s\d\d\d\.)\s+(?=[A-ZÆØÅ0-9\"“])"
            rf"|(?<=\S)\s+(?=(?:{alternation(config.item_words)})\s*\d)"
            rf"|(?<=[.:A-ZÆØÅ])\s+(?=\d{{1,4}}\.\s+[A-ZÆØÅ][a-zæøå])"
            rf"|(?<=\S)\s+(?=Side:?\s+\d{{1,3}}(?:\s|$))|(?:(?<=\bSide\s\d)|(?<=\bSide:\s\d)|(?<=\bSide\s\d\d))\s+"
        )

    # ------------------------------------------------------------------ lines

    def lines(self, text: str, limit: int, flat: bool) -> list[Line]:
        """The document's non-empty lines up to `limit`; in a transcript, sentence-like pieces of them."""
        out: list[Line] = []
        blank = False
        for m in re.finditer(r"[^\n]*", text[:limit]):
            raw = m.group(0)
            stripped = raw.strip()
            if not stripped:
                blank = blank or m.start() != m.end() or True
                continue
            start = m.start() + (len(raw) - len(raw.lstrip()))
            end = start + len(stripped)
            indent = len(raw) - len(raw.lstrip())
            if flat:
                cut = start
                for piece in self.flat_split_re.finditer(text, start, end):
                    if piece.start() > cut:
                        out.append(Line(cut, piece.start(), blank, indent, cut == start))
                        blank = False
                    cut = piece.end()
                out.append(Line(cut, end, blank, indent, cut == start))
            else:
                out.append(Line(start, end, blank, indent))
            blank = False
        return out

    # ------------------------------------------------------------------ features

    def shape(self, line: str) -> tuple[str | None, int | None]:
        """The numbering shape of a line and its item number ("Punkt 3: ..." → ("item_word", 3))."""
        if _DATE.match(line):
            return None, None
        bullet = _BULLET.match(line)
        for name, pattern in self.shape_res:
            m = pattern.match(line, bullet.end() if bullet and name != "bullet_num" else 0)
            if m:
                number = m.groupdict().get("num")
                return name, int(number) if number else None
        return None, None

    def heading_key(self, text: str, line: Line) -> str:
        """The heading word a section-heading line starts with ("Beslutning i Byrådet den ..." → "beslutning")."""
        piece = text[line.start : line.end]
        m = self.vocab.line_heading_re.match(piece) or self.glued_heading_re.match(piece)
        if m:
            return " ".join(_WORD.findall(m.group(0))[:2]).lower()
        word = self.heading_word_re.search(piece)
        return piece[: word.end()].lower() if word else piece.lower()

    def title_key(self, line: str) -> str:
        """A line without numbering, punctuation and the words web exports glue to a title ("...Referat"):
        equal keys are the same title printed twice."""
        line = self.title_suffix_re.sub("", line) if self.title_suffix_re else line
        words = _WORD.findall(_NUMBERING_PREFIX.sub("", line))
        return " ".join(w.lower() for w in words)[:30]

    def own(self, text: str, line: Line, shape: str | None) -> list[str]:
        s = text[line.start : line.end]
        n = len(s)
        words = s.split()
        f = ["bias"]
        f.append("len=" + ("1" if n <= 3 else "s" if n <= 15 else "m" if n <= 40 else "l" if n <= 90 else "xl" if n <= 200 else "xxl"))
        f.append("words=" + str(min(len(words), 12) // 3))
        if shape:
            f.append("shape=" + shape)
            if shape != "letter_item":
                f.append("numbered")
        if (n <= 140 and s[0].isupper() or shape) and s[-1] not in ".:;," and not self.vocab.line_heading_re.match(s):
            f.append("title_like")
        m = self.vocab.line_heading_re.match(s)
        if m:
            kind = next(k for k in ("rec", "dec", "abs", "other") if m.group(k))
            f.append("sec=" + kind)
            tail = m.group("tail").strip()
            f.append("sec_alone" if not tail or tail == ":" else "sec_tail")
            if n <= SHORT_LINE and _DATE.search(s):
                f.append("sec_dated")
        elif self.glued_heading_re.match(s):
            f.append("sec=glued")
        elif self.heading_word_re.search(s[:60]):
            f.append("heading_word_early")
        case = self.case_label_start_re.match(s)
        if case:
            f.append("case_label")
            if not case.group("rest").strip():
                f.append("case_label_empty")
        if self.vocab.toc_re.match(s):
            f.append("toc_heading")
        if self.vocab.item_word_re.match(s):
            f.append("det_item_word")
        if self.vocab.numbered_re.match(s):
            f.append("det_numbered")
        if self.vocab.case_header_re.match(s):
            f.append("det_case_header")
        if self.vocab.appendix_re.match(s):
            f.append("appendix")
        if n <= SHORT_LINE:  # what only a short line can be: a case-number line, furniture, a dated heading, a list
            if self.case_pattern_re.search(s):
                f.append("case_number")
                if len(words) <= 2 and not case:
                    f.append("case_only")
            if self.furniture_re.search(s):
                f.append("furniture")
            if _DATE.search(s):
                f.append("has_date")
            if _TIME.search(s):
                f.append("has_time")
            parties = len(_PARTY.findall(s))
            if parties:
                f.append("party" if parties == 1 else "parties")
            if _CLOSED.search(s):
                f.append("closed_suffix")
        for kind, pattern in self.record_res:
            found = pattern.search(s, 0, 300)
            if found:
                f.append("records_" + kind)
                if found.start() == 0:
                    f.append("opens_" + kind)
        if s.count(",") >= 3:
            f.append("many_commas")
        first = s[0]
        f.append("first=" + ("upper" if first.isupper() else "lower" if first.islower() else "digit" if first.isdigit() else "other"))
        if n <= SHORT_LINE and s.upper() == s and len(_CAPITALS.findall(s)) >= 4:
            f.append("all_caps")
        capitalised = sum(w[0].isupper() for w in words if w[0].isalpha())
        if len(words) >= 2 and capitalised >= 0.6 * len(words):
            f.append("title_case")
        f.append("ends_" + {".": "period", ":": "colon", ",": "comma", ")": "paren"}.get(s[-1], "other"))
        if _AT_CLAUSE.match(s):
            f.append("at_clause")
        if _PROPOSES.search(s):
            f.append("proposes")
        if n <= 13 and _STATUS_WORD.fullmatch(s):
            f.append("status_word")
        if s.startswith("SOURCE:"):
            f.append("source_line")
        if line.blank_before:
            f.append("blank_before")
        if line.page_start:
            f.append("page_start")
        if line.indent:
            f.append("indented")
        if s[0] in "•·*-–":
            f.append("bullet")
        lexical = _WORD.findall(s[:40])
        if lexical:
            f.append("w0=" + lexical[0].lower()[:16])
            if len(lexical) > 1:
                f.append("w01=" + lexical[0].lower()[:16] + "_" + lexical[1].lower()[:16])
        return f

    def features(self, text: str, lines: list[Line], hints: dict[int, list[str]] | None = None) -> list[list[str]]:
        """Per line: its own features, its numbering and repetition in the document, its neighbours', and the
        rule segmenter's verdicts (`hints`: line index → features)."""
        shapes = [self.shape(text[line.start : line.end]) for line in lines]
        own = [self.own(text, line, shapes[index][0]) + (hints or {}).get(index, []) for index, line in enumerate(lines)]
        keys = [self.title_key(text[line.start : line.end]) for line in lines]
        positions: dict[str, list[int]] = {}
        for index, key in enumerate(keys):
            if len(key) >= 10:
                positions.setdefault(key, []).append(index)
        previous_number = None
        seen_numbers: set[int] = set()
        total = max(1, len(lines))
        heading_seen: dict[str, int] = {}  # heading word → line index of its last occurrence
        last_numbered = -1
        first_heading = True
        for index, line in enumerate(lines):
            features = own[index]
            heading = self.heading_key(text, line) if any(x.startswith("sec=") or x == "heading_word_early"
                                                          for x in features) else None
            if heading:
                if first_heading:
                    features.append("first_heading")
                    first_heading = False
                if heading in heading_seen:
                    # the same section again: a new item begins, unless a numbered heading came in between
                    features.append("sec_repeat" if heading_seen[heading] < last_numbered else "sec_repeat_unnumbered")
                heading_seen[heading] = index
            found = positions.get(keys[index], [])
            if found and found[-1] > index:
                features.append("repeat_later")
            if found and found[0] < index:
                features.append("repeat_earlier")
            shape, number = shapes[index]
            if shape and shape not in ("letter_item",):
                last_numbered = index
            if number is not None:
                if previous_number is not None and number == previous_number + 1:
                    features.append("num_next")
                if number in seen_numbers:
                    features.append("num_seen")
                seen_numbers.add(number)
                previous_number = number
            features.append("pos=" + str(min(9, 10 * index // total)))
            numbered_before = index > 0 and any(x.startswith("shape=") for x in own[index - 1])
            numbered_after = index + 1 < len(own) and any(x.startswith("shape=") for x in own[index + 1])
            if numbered_before and numbered_after:
                features.append("numbered_run")
            elif numbered_before or numbered_after:
                features.append("numbered_neighbour")
            if index < 3:
                features.append("first_lines")
        # numbering continuity across the document: a line numbered N in some shape with N+1 (or N-1) in the same
        # shape further on (back), content between: item headings; adjacent ones are a list (numbered_block)
        by_shape: dict[tuple[str, int], list[int]] = {}
        for index, (shape, number) in enumerate(shapes):
            if shape and number is not None:
                by_shape.setdefault((shape, number), []).append(index)
        for index, (shape, number) in enumerate(shapes):
            if not shape or number is None:
                continue
            if any(j > index + 1 for j in by_shape.get((shape, number + 1), [])):
                own[index].append("chain_next")
            if any(j < index - 1 for j in by_shape.get((shape, number - 1), [])):
                own[index].append("chain_prev")
        # a case-number line that comes back: in a layout whose items open with it, each one opens an item
        if sum("case_label" in row for row in own) >= 2:
            for row in own:
                if "case_label" in row:
                    row.append("case_label_repeat")
        # a list of three or more lines numbered one after another, nothing between: a table of contents
        numbers = [number for _, number in shapes]
        run_start = 0
        for index in range(1, len(own) + 1):
            continues = index < len(own) and numbers[index] is not None and numbers[index - 1] is not None \
                and numbers[index] == numbers[index - 1] + 1
            if not continues:
                if index - run_start >= 3:
                    for k in range(run_start, index):
                        own[k].append("numbered_block")
                run_start = index
        context = [[x for x in row if x.startswith(self.CONTEXT)] for row in own]
        rows = []
        for index, features in enumerate(own):
            row = list(features)
            present = set(features)
            after = set(own[index + 1]) if index + 1 < len(own) else set()
            # conjunctions a linear model cannot form itself
            if "numbered" in present and "title_like" in present:
                row.append("numbered_title")
                if "num_next" in present:
                    row.append("numbered_title_next")
            if "title_like" in present and any(x.startswith(("sec=", "case_label")) for x in after):
                row.append("title_before_section")
            if "case_label" in present and "title_like" in after:
                row.append("case_before_title")
            for offset in (-2, -1, 1, 2):
                neighbour = index + offset
                if 0 <= neighbour < len(own):
                    row += [f"{offset}:{x}" for x in context[neighbour]]
                else:
                    row.append(f"{offset}:none")
            ahead = [x for k in range(index + 1, min(len(own), index + 4)) for x in own[k]]
            if any(x.startswith("sec=") for x in ahead):
                row.append("next3:sec")
            if "case_label" in ahead:
                row.append("next3:case_label")
            rows.append(row)
        return rows


def rule_hints(items, lines: list[Line]) -> dict[int, list[str]]:
    """The rule segmenter's items (rules.py) as line features: where it starts an item, puts a title, finds
    the Indstilling and Beslutning headings. The labeller learns how far to trust each."""
    starts = [line.start for line in lines]
    hints: dict[int, list[str]] = {}

    def mark(offset: int, feature: str) -> None:
        index = max(0, bisect.bisect_right(starts, offset) - 1)
        hints.setdefault(index, []).append(feature)

    for item in items:
        mark(item.spans["item"][0], "rule_start")
        for key, feature in (("title", "rule_title"), ("recommendation_heading", "rule_rec"),
                             ("decision_heading", "rule_dec"), ("case_number", "rule_case")):
            if key in item.spans:
                mark(item.spans[key][0], feature)
    return hints
