"""Line labels from item-level gold: the training data of the line labeller.

Gold annotations say which items a document holds (title, case number, Indstilling and Beslutning verbatim),
not which line is what. This module finds them in the document's lines and labels every line:

  O        outside any item (meeting header, navigation, table of contents)
  T, TC    an item's title line (it starts the item), and the title's continuation lines
  S, S-rec, S-dec  the first line of an item that prints no title (-rec, -dec: it is that section's heading)
  H-<role> a heading inside an item: its title after a case-number line that starts it, a case-number line,
           an Indstilling, Beslutning or other section heading
  D        the first line of a decision printed without a heading ("Indstillingen blev godkendt.", "For stemte
           ...": a protocol records the result where another layout prints "Beslutning")
  I        any other line inside an item

An item without a printed title starts at its first heading after the previous item's content (a case-number
line, an Indstilling or Beslutning heading, another section heading), else at its first content line. Items
cut off after their heading (not annotated, see shared/real/README.md) are still item starts: lines after
the last annotated item that are numbered like the annotated titles are labelled T.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from pipeline.records import SourceText, squash
from pipeline.stages.segment.decode import is_flat
from pipeline.stages.segment.features import Line, LineFeaturizer

LABELS = ("O", "T", "TC", "S", "S-rec", "S-dec", "H-title", "H-case", "H-rec", "H-dec", "H-sec", "D", "I")
HEADING_KINDS = {"rec": "rec", "dec": "dec", "abs": "sec", "other": "sec"}


@dataclass
class LabelledDocument:
    name: str
    municipality: str | None
    source: SourceText
    lines: list[Line]
    labels: list[str]
    problems: list[str] = field(default_factory=list)


class _Finder:
    """Whitespace-insensitive search of verbatim gold text in the normalised text, with original offsets."""

    def __init__(self, text: str):
        self.offsets: list[int] = []
        pieces = []
        for m in re.finditer(r"\S+", text):
            if pieces:
                pieces.append(" ")
                self.offsets.append(m.start())
            pieces.append(m.group(0))
            self.offsets.extend(range(m.start(), m.end()))
        self.squashed = "".join(pieces)
        self.starts = self.offsets  # squashed index → original offset

    def find(self, needle: str | None, after: int = 0) -> tuple[int, int] | None:
        needle = squash(needle or "")
        if not needle:
            return None
        begin = bisect.bisect_left(self.offsets, after)
        for probe in (needle, needle[:60], needle[:25]):
            index = self.squashed.find(probe, begin)
            if index >= 0 and len(probe) >= min(len(needle), 8):
                end = index + len(needle) - 1 if probe is needle else index + len(probe) - 1
                end = min(end, len(self.offsets) - 1)
                return self.offsets[index], self.offsets[end] + 1
        return None


class LineAligner:
    def __init__(self, featurizer: LineFeaturizer):
        self.featurizer = featurizer
        self.vocab = featurizer.vocab

    def _heading_kind(self, line: str) -> str | None:
        m = self.vocab.line_heading_re.match(line)
        if m:
            return HEADING_KINDS[next(k for k in ("rec", "dec", "abs", "other") if m.group(k))]
        if self.featurizer.glued_heading_re.match(line):
            return "sec"
        return None

    def _heading_like(self, texts: list[str], index: int) -> bool:
        line = texts[index]
        numbered = self.featurizer.shape(line)[0] or (index > 0 and self.featurizer.shape(texts[index - 1])[0])
        return bool(numbered) or not line.rstrip().endswith(".")

    def _number_only(self, line: str) -> bool:
        return bool(re.fullmatch(r"[\W_]*(?:Punkt|Pkt\.?|Sag nr\.?|Nr\.?)?\s*\d{1,4}\.?\s*", line, re.I))

    def _trailing(self, line: str) -> bool:
        """Headings that close an item (its appendices, its absence note), never the start of the next one."""
        m = self.vocab.line_heading_re.match(line)
        return bool(re.match(r"Bilag", line)) or bool(m and m.group("abs"))

    def _is_case_line(self, line: str, case_number: str | None) -> bool:
        if self.featurizer.case_label_start_re.match(line):
            return True
        return bool(case_number) and case_number in line and len(line) <= len(case_number) + 40

    def title_text(self, line: str) -> str:
        """A heading line without its numbering and printed type word ("• Punkt 1: Beslutning: X" → "X")."""
        body = re.sub(r"^[\W_]*(?:(?:Punkt|Pkt\.?|Nr\.?|Sag nr\.?|åbent?|lukket|Side)\s*)?(?:\d{1,4}|[A-Z](?=\s))?\s*[.:)\-–]?\s*",
                      "", line, flags=re.I)
        m = self.vocab.prefix_re.match(body)
        if m and m.group("sep").strip():
            body = m.group("rest")
        return squash(body)

    def _title_candidates(self, texts: list[str], title: str) -> dict[int, int]:
        """Lines that print the title, each with how well: 2 the title alone (after its numbering), 1 the title
        with something glued to it or cut, 0 the title opening a longer line."""
        key = squash(title).lower()
        out = {}
        for index, line in enumerate(texts):
            low = self.title_text(line).lower()
            if not low:
                continue
            if low == key or fuzz.ratio(low, key) >= 88:
                out[index] = 2
            elif (low.startswith(key) and len(low) - len(key) <= 25) or (key.startswith(low) and len(low) >= 12) \
                    or (len(key) >= 15 and low.endswith(key)):
                out[index] = 1 if len(low) - len(key) <= 15 else 0
            elif len(key) >= 12 and key in low and len(low) - len(key) <= 40:  # inside a transcript's piece
                out[index] = 0
        return out

    def _toc_like(self, texts: list[str], index: int) -> bool:
        """A line of a list of items (a table of contents): the next line is numbered with the next number."""
        _, number = self.featurizer.shape(texts[index])
        return number is not None and index + 1 < len(texts) and self.featurizer.shape(texts[index + 1])[1] == number + 1

    def align(self, name: str, source: SourceText, gold: dict) -> LabelledDocument:
        text = source.text
        limit = source.body_end or len(text)
        lines = self.featurizer.lines(text, limit, source.transcript or is_flat(text[:limit]))
        texts = [text[l.start : l.end] for l in lines]
        line_starts = [l.start for l in lines]
        finder = _Finder(text)
        problems: list[str] = []

        def line_of(offset: int) -> int:
            return max(0, bisect.bisect_right(line_starts, offset) - 1)

        starts: list[tuple[int, str]] = []  # (line index, "T" or S-role)
        derived: dict[int, str] = {}  # heading lines known from where the gold text starts
        cursor = lines[1].start if len(lines) > 1 and texts[0].startswith("SOURCE:") else 0
        title_lines: list[int] = []
        last_anchor_line = -1
        for item in gold["items"]:
            content = []
            case_line = None
            if item.get("case_number"):
                found = finder.find(item["case_number"], cursor)
                if found:
                    case_line = line_of(found[0])
            for field in ("recommendation", "decision"):
                found = finder.find(item.get(field), cursor)
                if found:
                    content.append(line_of(found[0]))
                    self._derive_heading(field, found[0], lines, texts, line_of, derived)
            anchors = content + ([case_line] if case_line is not None else [])
            first_anchor = min(anchors) if anchors else None
            start = None
            if item.get("title"):
                found_titles = self._title_candidates(texts, item["title"])
                candidates = [i for i in found_titles if lines[i].start >= cursor]
                bound = min(content) if content else None

                def rank(i: int) -> tuple:
                    # not a line of a table of contents, printed as a heading (numbered, or not ending like a
                    # sentence), then how exactly
                    return (not self._toc_like(texts, i), self._heading_like(texts, i), found_titles[i])

                if bound is not None:
                    before = [i for i in candidates if i <= bound]
                    if before:
                        best = max(rank(i) for i in before)
                        start = [i for i in before if rank(i) == best][-1]
                        # the heading block: the title printed twice, or a number line between ("• Pkt. 100 X",
                        # "Pkt. 100", "X"): the item starts at its first line
                        while start - 1 in candidates or (start - 2 in candidates and self._number_only(texts[start - 1])):
                            start -= 1 if start - 1 in candidates else 2
                else:
                    plain = [i for i in candidates if not self._toc_like(texts, i)]
                    if plain or candidates:
                        best = max(rank(i) for i in (plain or candidates))
                        start = [i for i in (plain or candidates) if rank(i) == best][0]
                if start is None:
                    problems.append(f"item {item.get('number')}: title not found: {item['title'][:60]!r}")
            if start is not None:
                title_lines.append(start)
                if case_line is not None and start - 3 <= case_line < start and lines[case_line].start >= cursor:
                    starts.append((case_line, "S"))
                    derived[start] = "title"
                elif start > 0 and self.featurizer.shape(texts[start - 1])[0] in ("num_alone", "bullet_num"):
                    starts.append((start - 1, "T"))  # "• 145." above its title: the number line starts the item
                    title_lines[-1] = start - 1
                    derived[start] = "title-continued"
                else:
                    starts.append((start, "T"))
            else:
                floor = max(last_anchor_line + 1, line_of(cursor))
                if first_anchor is None:
                    # nothing of it to find: an item laid out like the previous untitled one starts the same way
                    previous = texts[starts[-1][0]] if starts and starts[-1][1] == "S" else None
                    same = [i for i in range(floor, len(lines)) if previous and texts[i] == previous]
                    if not same:
                        problems.append(f"item {item.get('number')}: nothing of the item found")
                        continue
                    first_anchor = same[0]
                heads = [i for i in range(floor, first_anchor + 1) if not self._trailing(texts[i]) and (
                         derived.get(i) or self._heading_kind(texts[i]) or self._is_case_line(texts[i], item.get("case_number")))]
                cases = [i for i in heads if self._is_case_line(texts[i], item.get("case_number"))]
                start = (cases if cases and not starts else heads)[0] if heads else first_anchor
                starts.append((start, "S"))
            item_anchor_lines = anchors + [start]
            last_anchor_line = max(item_anchor_lines)
            for field in ("decision", "recommendation"):
                found = finder.find(item.get(field), cursor)
                if found:
                    last_anchor_line = max(last_anchor_line, line_of(found[1] - 1))
            cursor = lines[last_anchor_line].end if last_anchor_line < len(lines) else cursor
        ordered = [s for i, s in enumerate(starts) if i == 0 or s[0] > starts[i - 1][0]]
        if len(ordered) < len(starts):
            problems.append("item starts out of order; later duplicates dropped")
        labels = ["O"] * len(lines)
        gold_titles = {i: t for i, t in zip(title_lines, [it.get("title") for it in gold["items"] if it.get("title")])}
        bounds = [s for s, _ in ordered] + [len(lines)]
        for k, (start, kind) in enumerate(ordered):
            end = bounds[k + 1]
            for index in range(start, end):
                if derived.get(index) == "title-continued":
                    labels[index] = "TC"
                    continue
                if derived.get(index) == "implicit-dec":
                    labels[index] = "D"
                    continue
                role = derived.get(index) or self._heading_kind(texts[index])
                if role is None and self._is_case_line(texts[index], None):
                    role = "case"
                labels[index] = f"H-{role}" if role else "I"
            if kind == "T":
                labels[start] = "T"
                title = squash(gold_titles.get(start) or "").lower()
                covered = squash(texts[start]).lower()
                index = start + 1
                while index < end and labels[index] == "TC":
                    covered += " " + squash(texts[index]).lower()
                    index += 1
                while index < end and title and not title.endswith(covered[-20:]) and squash(texts[index]).lower() in title:
                    labels[index] = "TC"
                    covered += " " + squash(texts[index]).lower()
                    index += 1
            else:
                labels[start] = labels[start].replace("H-", "S-") if labels[start] in ("H-rec", "H-dec") else "S"
        # items cut off after their heading: numbered like the annotated titles, continuing their numbers,
        # after the last annotated content
        shapes = {self.featurizer.shape(texts[i])[0] for i in title_lines} - {None}
        numbers = [it.get("number") for it in gold["items"] if isinstance(it.get("number"), int)]
        expected = max(numbers) + 1 if numbers else None
        for index in range(last_anchor_line + 1, len(lines)):
            shape, number = self.featurizer.shape(texts[index])
            if labels[index] == "I" and shape in shapes and number == expected:
                labels[index] = "T"
                expected += 1
        return LabelledDocument(name, gold.get("municipality"), source, lines, labels, problems)

    def _derive_heading(self, field: str, offset: int, lines: list[Line], texts: list[str], line_of, derived: dict) -> None:
        """The heading of a gold Indstilling or Beslutning: the line it starts on when the text starts inside
        the line ("BeslutningGodkendt.", "Indstilling: at ..."), else the short line above it (past a lead-in
        such as "Direktøren indstiller," for the Indstilling)."""
        role = "dec" if field == "decision" else "rec"
        index = line_of(offset)
        if offset > lines[index].start and field == "decision":
            derived[index] = role
            return
        above = index - (1 if offset == lines[index].start else 0)
        if field == "recommendation":
            while above >= 0 and above < index + 1 and re.search(r"\bindstille[rs]?\b|\bforeslår\b", texts[above], re.I) \
                    and not self._heading_kind(texts[above]) and above > index - 3:
                above -= 1
        heading = 0 <= above < len(texts) and above != index and len(texts[above]) <= 120 \
            and not texts[above].endswith(".")
        if heading and field == "decision" and not self._decision_heading_like(texts[above]):
            heading = False
        if heading:
            derived[above] = role
        elif field == "decision" and offset == lines[index].start and index not in derived:
            derived[index] = "implicit-dec"

    def _decision_heading_like(self, line: str) -> bool:
        """A line above a decision that heads it: a decision heading, a heading word, or a dated or colon-ended
        line naming the deciding body ("Byrådets møde den 3. maj 2023:"); a title or a case text is not one."""
        return bool(self._heading_kind(line) or self.featurizer.heading_word_re.search(line)
                    or line.rstrip().endswith(":") or re.search(r"\d{1,2}[.\-/]\s?\d{1,2}[.\-/]\d{2,4}|\bden\b", line))
