"""Meeting metadata from a document's header: municipality, committee, meeting date, attendees, absent."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from pipeline.config import MetadataConfig, Municipalities
from pipeline.records import Span, squash

_NAME = r"[A-ZÆØÅ][\wæøåÆØÅ'’-]+(?:[ \t]+(?:[A-ZÆØÅ]\.|[A-ZÆØÅ][\wæøåÆØÅ'’-]+|von|van|de|la|af))*"


@dataclass
class Metadata:
    municipality: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    attendees: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)


class MetadataExtractor:
    def __init__(self, config: MetadataConfig, municipalities: Municipalities):
        self.config = config
        months = "|".join(sorted(config.months, key=len, reverse=True))
        self.date_res = [
            (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
            (re.compile(r"\b(\d{1,2})[-./](\d{1,2})[-./](\d{4}|\d{2})\b"), ("d", "m", "y")),
            (re.compile(rf"\b(\d{{1,2}})\.?\s*({months})\.?\s+(\d{{4}})\b", re.I), ("d", "month", "y")),
        ]
        suffixes = "|".join(re.escape(s) for s in sorted(config.committee_suffixes, key=len, reverse=True))
        self.committee_re = re.compile(
            rf"(?:[A-ZÆØÅ][\wæøå]*-,?[ \t]+(?:[\wæøåÆØÅ]+-,?[ \t]+)*og[ \t]+)?(?:[A-ZÆØÅ][\wæøåÆØÅ-]*?)?(?:{suffixes})\b"
            rf"|Udvalget for [A-ZÆØÅ\w][\wæøå ,-]*?(?= den\b| d\.|\d|\n|$)"
        )
        labels = config.attendee_labels + config.absent_labels + config.header_stop_words
        alternation = "|".join(re.escape(s) for s in sorted(set(labels), key=len, reverse=True))
        self.label_re = re.compile(rf"(?<![(\w])(?P<label>{alternation})\b[ \t]*:?")
        names = sorted(municipalities.municipalities + list(municipalities.aliases), key=len, reverse=True)
        self.aliases = municipalities.aliases
        self.municipality_re = re.compile(
            rf"\b(?P<name>{'|'.join(map(re.escape, names))})s?\s+(?:Kommunes?|Byråd|Regionskommune)\b"
            rf"|\b(?:Kommunalbestyrelsen|Byrådet) i (?P<name2>{'|'.join(map(re.escape, names))})\b"
        )

    def extract(self, text: str, header_end: int, body_end: int | None = None) -> Metadata:
        header = text[:header_end]
        meta = Metadata()
        meta.municipality, municipality_span = self._municipality(text[: body_end or len(text)])
        if municipality_span:
            meta.spans["municipality"] = municipality_span
        committee = self._committee(header) or self._committee(text[: body_end or len(text)], decision_only=True)
        if committee:
            meta.committee = squash(text[committee[0] : committee[1]])
            meta.spans["committee"] = committee
        found = self._meeting_date(header) or self._meeting_date(text[: body_end or len(text)], decision_only=True)
        if found:
            meta.meeting_date, meta.spans["meeting_date"] = found
        meta.attendees, meta.absent = self._attendance(header)
        return meta

    # ------------------------------------------------------------------

    def _municipality(self, text: str) -> tuple[str | None, Span | None]:
        counts: Counter = Counter()
        first: dict[str, Span] = {}
        for m in self.municipality_re.finditer(text):
            group = "name" if m.group("name") else "name2"
            name = self.aliases.get(m.group(group), m.group(group))
            counts[name] += 1
            first.setdefault(name, m.span(group))
        if not counts:
            return None, None
        name = max(counts, key=lambda n: (counts[n], -first[n][0]))
        return name, first[name]

    def _committee(self, text: str, decision_only: bool = False) -> Span | None:
        if decision_only:
            # "Beslutning i Social- og Arbejdsmarkedsudvalget den ..." names the committee on every item.
            spans = [
                m.span(1)
                for m in re.finditer(r"(?m)^[ \t]*Beslutning(?:er)?[ \t]+(?:i[ \t]+)?(.+?)[ \t]+(?:\d{4}-\d{4}[ \t]+)?den\b", text)
                if self.committee_re.fullmatch(m.group(1))
            ]
            common = Counter(text[s:e] for s, e in spans).most_common(1)
            return next(s for s in spans if text[s[0] : s[1]] == common[0][0]) if common else None
        for label in self.config.committee_labels:
            m = re.search(rf"(?m)^[ \t]*{re.escape(label)}[ \t]*:[ \t]*(\S[^\n]*?)[ \t]*$", text)
            if m:
                inner = self.committee_re.search(m.group(1))
                if inner:
                    return m.start(1) + inner.start(), m.start(1) + inner.end()
                return m.span(1)
        m = self.committee_re.search(text)
        return m.span() if m else None

    def parse_date(self, text: str) -> tuple[str, Span] | None:
        """The first date in `text` as ISO, with its span."""
        best = None
        for pattern, order in self.date_res:
            m = pattern.search(text)
            if m and (best is None or m.start() < best[1].start()):
                best = (order, m)
        if best is None:
            return None
        order, m = best
        parts = dict(zip(order, m.groups()))
        month = int(parts["m"]) if "m" in parts else self.config.months[parts["month"].lower()]
        year = int(parts["y"]) + (2000 if len(parts["y"]) == 2 else 0)
        try:
            return date(year, month, int(parts["d"])).isoformat(), m.span()
        except ValueError:
            return None

    def _meeting_date(self, text: str, decision_only: bool = False) -> tuple[str, Span] | None:
        if decision_only:
            found = [
                (m.start(), self.parse_date(m.group(0)))
                for m in re.finditer(r"(?m)^[ \t]*Beslutning(?:er)?\b[^\n]{0,150}\bden\b[^\n]{0,30}$", text)
            ]
            found = [(start, d) for start, d in found if d]
            common = Counter(d[0] for _, d in found).most_common(1)
            if not common:
                return None
            start, (iso, span) = next((s, d) for s, d in found if d[0] == common[0][0])
            return iso, (start + span[0], start + span[1])
        for label in self.config.date_labels:
            for m in re.finditer(rf"\b{re.escape(label)}\b[ \t]*:?", text):
                found = self.parse_date(text[m.end() : m.end() + 80])
                if found:
                    iso, (s, e) = found
                    return iso, (m.end() + s, m.end() + e)
        return self.parse_date(text)

    def _attendance(self, header: str) -> tuple[list[str], list[str]]:
        labels = list(self.label_re.finditer(header))
        attendee_labels = {l.lower() for l in self.config.attendee_labels}
        absent_labels = {l.lower() for l in self.config.absent_labels}
        markers = {m.lower() for m in self.config.absent_markers}
        attendees: list[str] = []
        absent: list[str] = []
        for index, label in enumerate(labels):
            kind = label.group("label").lower()
            if kind not in attendee_labels and kind not in absent_labels:
                continue
            end = labels[index + 1].start() if index + 1 < len(labels) else len(header)
            line_end = header.find("\n", label.end())
            if line_end >= 0 and line_end == label.end() + len(header[label.end() : line_end]) and header[label.end() : line_end].strip():
                end = min(end, line_end)
            value = header[label.end() : end]
            for m in re.finditer(rf"(?P<name>{_NAME})(?:[ \t]*\((?P<marker>[^)\n]{{1,25}})\))?", value):
                name = squash(m.group("name"))
                if len(name.split()) < 2:
                    continue
                marker = (m.group("marker") or "").strip().lower()
                if kind in absent_labels or marker in markers:
                    absent.append(name)
                else:
                    attendees.append(name)
        absent = list(dict.fromkeys(absent))
        attendees = [n for n in dict.fromkeys(attendees) if n not in absent]
        return attendees, absent
