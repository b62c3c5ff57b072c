"""Meeting metadata: municipality, committee, meeting date, attendees, absent.

A crawled page often lacks a header (it starts inside an item), so each field has several sources, tried in
order of reliability: for the municipality, the host of the address the page came from ("SOURCE: https://..."),
then the text ("Holbæk Kommune", "Byrådet i Dragør", "Hjørring Rådhus"), then the address's path; for the
committee, a labelled value ("Udvalg: ..."), the header's title ("Referat fra mødet i ...", "...s møde den
..."), then the committee named in the items' decision headings ("Beslutning i Byrådet den ..."); for the date,
a labelled or first date in the header, the decision headings' date, then a date in the address.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import unquote, urlsplit

from pipeline.config import MetadataConfig, Municipalities
from pipeline.records import Span, squash

_NAME = r"[A-ZÆØÅ][\wæøåÆØÅ'’-]+(?:[ \t]+(?:[A-ZÆØÅ]\.|[A-ZÆØÅ][\wæøåÆØÅ'’-]+|von|van|de|la|af))*"
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"})
_FOLD_SHORT = str.maketrans({"æ": "a", "ø": "o", "å": "a", "é": "e", "ü": "u"})


def slugs(name: str) -> set[str]:
    """How a name is written in a host name: "Høje-Taastrup" → hoeje-taastrup, hojetaastrup, ..."""
    low = name.lower()
    out = set()
    for table in (_FOLD, _FOLD_SHORT):
        folded = low.translate(table)
        out |= {folded.replace(" ", "-"), folded.replace(" ", "").replace("-", ""), folded.replace(" ", "")}
    return out


@dataclass
class Metadata:
    municipality: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    attendees: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)
    # Where each value came from: "text", "header", "decision headings", "address".
    sources: dict[str, str] = field(default_factory=dict)


class MetadataExtractor:
    def __init__(self, config: MetadataConfig, municipalities: Municipalities):
        self.config = config
        months = "|".join(sorted(config.months, key=len, reverse=True))
        self.date_res = [
            (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
            (re.compile(r"\b(\d{1,2})[-./](\d{1,2})[-./](\d{4}|\d{2})\b"), ("d", "m", "y")),
            (re.compile(rf"\b(\d{{1,2}})\.?\s*({months})\.?,?\s+(\d{{4}})\b", re.I), ("d", "month", "y")),
            (re.compile(rf"\b({months})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), ("month", "d", "y")),
        ]
        suffixes = "|".join(re.escape(s) for s in sorted(config.committee_suffixes, key=len, reverse=True))
        # "Udvalg: X" on one line, or the label over its value (a table's header row and separator between)
        self.committee_label_res = [re.compile(pattern.format(label=re.escape(label))) for label in config.committee_labels
                                    for pattern in (r"(?m)^[ \t]*{label}(?:[ \t]*:[ \t]*|[ \t]+)(\S[^\n]*?)[ \t]*$",
                                                    r"(?m)^[ \t]*{label}[ \t]*:?[ \t]*\|?[ \t]*\n(?:[ \t]*[-|]+[ \t|-]*\n)?"
                                                    r"[ \t]*(\S[^\n]*?)[ \t]*$")]
        self.suffix_re = re.compile(rf"(?:{suffixes})", re.I)
        self.date_label_words = set(config.date_labels)
        self.committee_re = re.compile(
            rf"(?:[A-ZÆØÅ][\wæøå]*-,?[ \t]+(?:[\wæøåÆØÅ]+-,?[ \t]+)*og[ \t]+)?(?:[A-ZÆØÅ][\wæøåÆØÅ-]*?)?(?:{suffixes})\b"
            rf"|Udvalget for [A-ZÆØÅ\w][\wæøå ,-]*?(?= den\b| d\.|\d|\n|$|\s+[A-ZÆØÅ][a-zæøå]+:)"
        )
        labels = config.attendee_labels + config.absent_labels + config.header_stop_words
        alternation = "|".join(re.escape(s) for s in sorted(set(labels), key=len, reverse=True))
        self.label_re = re.compile(rf"(?<![(\w])(?P<label>{alternation})\b[ \t]*:?")
        names = sorted(municipalities.municipalities + list(municipalities.aliases), key=len, reverse=True)
        self.aliases = municipalities.aliases
        joined = "|".join(map(re.escape, names))
        self.municipality_re = re.compile(
            rf"\b(?P<name>{joined})s?\s+(?:Kommunes?|Byråd|Regionskommune|Rådhus)\b"
            rf"|\b(?:Kommunalbestyrelsen|Byrådet) i (?P<name2>{joined})\b"
            rf"|\b(?P<region>{'|'.join(map(re.escape, municipalities.regions))})\b" if municipalities.regions else ""
        )
        self.slugs: dict[str, str] = {}
        for name in municipalities.municipalities + municipalities.regions:
            for slug in slugs(name):
                self.slugs[slug] = name
        self.hosts = municipalities.hosts
        date_text = rf"(?:\d{{1,2}}[-./]\s?\d{{1,2}}[-./]\d{{2,4}}|\d{{1,2}}\.?\s*(?:{months})\.?,?\s+\d{{4}})"
        committee_text = r"(?P<committee>[A-ZÆØÅa-zæøå][\wæøåÆØÅ&\"”“ ,.()-]{1,90}?)"
        # How decision headings, and the sentences that introduce a decision, name the committee and date.
        self.decision_res = [
            re.compile(rf"(?m)^[ \t•]*(?:fold dette punkt ind )?Beslutning(?:er)?(?:[ \t]+(?:i|fra|på))?[ \t]+{committee_text}"
                       rf"(?:[ \t]*\((?:\d{{2,4}}-\d{{2,4}})\))?[ \t]+(?:den[ \t]+)?(?P<date>{date_text})", re.I),
            re.compile(rf"(?m)^[ \t]*{committee_text}s (?:møde|beslutning) den (?P<date>{date_text})", re.I),
            re.compile(rf"(?m)^[ \t]*{committee_text}(?:,| den) (?P<date>{date_text})(?:, pkt\. ?\d+)?:?[ \t]*$"),
            re.compile(rf"(?m)^[ \t]*Beslutning (?:i|fra) {committee_text}[ \t]*\n(?:[ \t]*\n)*[ \t]*Dato:[ \t]*(?P<date>{date_text})"),
        ]
        self.heading_line_re = re.compile(r"(?m)^[^\n]*?(?:[Bb]eslutning|\bden\b|Dato:)[^\n]*$")
        self.header_committee_res = [
            # ("Referat fra mødet i X"): the match starts at "møde", where the committee's name follows
            re.compile(rf"\bmøde(?:t)? i[ \t\n]+{committee_text}(?=[ \t]*(?:[,.(\n]|den\b|\d|$))", re.I),
            re.compile(rf"(?m)^[ \t]*Referat[ \t:]+{committee_text}[ \t]+(?:-[ \t]+)?(?P<date>{date_text})"),
            re.compile(rf"(?m)^[ \t]*{committee_text}s møde den"),
            re.compile(rf"(?m)^[ \t]*{committee_text}[ \t]+-[ \t]+(?:Referat|Dagsorden|{date_text})"),
            re.compile(rf"(?m)^[ \t]*(?:{date_text})[ \t]+-[ \t]+referat fra {committee_text}$", re.I),
            re.compile(rf"(?m)^[ \t]*{committee_text}(?:[ \t]+(?:den|d\.))?[ \t]+(?:{date_text})"),
            re.compile(rf"(?m)^[ \t]*{committee_text}[ \t]*\n[ \t]*(?:{date_text})[ \t]*$"),
        ]

    # ------------------------------------------------------------------ the page

    def source_address(self, text: str) -> tuple[str | None, str]:
        """The address on a crawled page's first line, and the text with that line blanked (offsets kept)."""
        first = text.split("\n", 1)[0]
        for prefix in self.config.source_line_prefixes:
            if first.startswith(prefix):
                return first[len(prefix):].strip(), " " * len(first) + text[len(first):]
        return None, text

    def extract(self, text: str, header_end: int, body_end: int | None = None) -> Metadata:
        address, text = self.source_address(text)
        header = text[:header_end]
        body = text[: body_end or len(text)]
        meta = Metadata()
        self._set(meta, "municipality", self._municipality(body, address))
        self._set(meta, "committee", self._committee(header, body, address))
        self._set(meta, "meeting_date", self._meeting_date(header, body, address))
        meta.attendees, meta.absent = self._attendance(header)
        return meta

    @staticmethod
    def _set(meta: Metadata, name: str, found: tuple | None) -> None:
        if found:
            value, span, source = found
            setattr(meta, name, value)
            meta.sources[name] = source
            if span:
                meta.spans[name] = span

    # ------------------------------------------------------------------ municipality

    def _municipality(self, text: str, address: str | None) -> tuple[str, Span | None, str] | None:
        host, path, _ = self._address_parts(address)
        for label in host:
            name = self.hosts.get(label) or self.slugs.get(label) or self.slugs.get(re.sub(r"-?kommune$", "", label))
            if name:
                return name, None, "address"
        counts: Counter = Counter()
        first: dict[str, Span] = {}
        for m in self.municipality_re.finditer(text):
            group = next(g for g in ("name", "name2", "region") if m.group(g))
            name = self.aliases.get(m.group(group), m.group(group))
            counts[name] += 1
            first.setdefault(name, m.span(group))
        if counts:
            name = max(counts, key=lambda n: (counts[n], -first[n][0]))
            return name, first[name], "text"
        for token in path:
            name = self.slugs.get(token) or self.slugs.get(token.rstrip("0123456789"))
            if name:
                return name, None, "address"
        return None

    @staticmethod
    def _address_parts(address: str | None) -> tuple[list[str], list[str], str]:
        """Host labels ("dagsordner", "holbaek"), path and query words, and the path and query as one
        lower-case string with single hyphens, of an address."""
        if not address:
            return [], [], ""
        try:
            parts = urlsplit(address if "//" in address else "//" + address)
        except ValueError:
            return [], [], ""
        host = [label for label in (parts.hostname or "").split(".") if label not in ("www", "dk", "com", "net", "org")]
        path = unquote(parts.path + " " + parts.query).lower()
        words = re.split(r"[^a-z0-9æøå-]+", path)
        return host, [w for w in words if w], re.sub(r"-+", "-", path)

    # ------------------------------------------------------------------ committee

    def _clean_committee(self, value: str, genitive: bool = False) -> str | None:
        value = squash(value.replace("|", " ")).strip(" ,-.")
        value = re.sub(r"^(?:referat|dagsorden|beslutningsprotokol|beslutning(?:er)?(?:\s+(?:i|fra|på))?)\b[ :]*", "",
                       value, flags=re.I)
        if re.fullmatch(r"[\w.]+\s*:", value) or set(value.split()) & self.date_label_words:
            return None  # another label ("Udvalg:" above "Dato:"), a table's header row ("Udvalg Dato Type")
        value = re.sub(r"\s*\(\d{2,4}\s*-\s*\d{2,4}\)$|\s+\d{4}-\d{2,4}$", "", value)  # "(2018-2021)", "2018-21"
        value = re.sub(r"^\d{2}-\d{2}\s+", "", value)  # "14-17 Byrådet": the electoral period
        if genitive and value.endswith("s") and not value.endswith("ss"):
            value = value[:-1]
        value = value.rstrip(" :")
        if not value or len(value.split()) > 8 or not re.search(r"[A-Za-zÆØÅæøå]{3}", value):
            return None
        return value[0].upper() + value[1:]

    @staticmethod
    def _located(value: str, text: str, span: Span) -> Span | None:
        """Where a cleaned value stands inside the span it was read from (None when cleaning changed it)."""
        index = text.find(value, span[0], span[1])
        return (index, index + len(value)) if index >= 0 else None

    def _decision_headings(self, body: str):
        """Matches of the decision-heading patterns, looked for only on the lines that can hold one (a line
        with a decision word, "den" or "Dato"): the patterns are costly on every line of a long body."""
        seen = set()
        for line in self.heading_line_re.finditer(body):
            for index, pattern in enumerate(self.decision_res):
                for m in pattern.finditer(body, line.start(), min(len(body), line.end() + 200)):
                    if (index, m.start()) not in seen:
                        seen.add((index, m.start()))
                        yield m

    def _committee(self, header: str, body: str, address: str | None) -> tuple[str, Span | None, str] | None:
        for pattern in self.committee_label_res:
            m = pattern.search(header)
            value = self._clean_committee(m.group(1)) if m else None
            if value:
                return value, self._located(value, header, m.span(1)), "header"
        for pattern in self.header_committee_res:
            for m in pattern.finditer(header):
                candidate = m.group("committee")
                value = self._clean_committee(candidate, genitive=bool(re.search(r"s møde", m.group(0))))
                if value and (self.suffix_re.search(value) or pattern is self.header_committee_res[0]):
                    return value, self._located(value, header, m.span("committee")), "header"
        path = self._address_parts(address)[2]
        for name in self.config.committee_names:
            if any(slug in path for slug in slugs(name)):
                return name, None, "address"
        found: Counter = Counter()
        spans: dict[str, Span] = {}
        for m in self._decision_headings(body):
            genitive = bool(re.search(r"s (?:møde|beslutning) den", m.group(0), re.I))
            value = self._clean_committee(m.group("committee"), genitive)
            if value and len(value.split()) <= 6 and value[0].isupper():
                found[value] += 1
                spans.setdefault(value, m.span("committee"))
        if found:
            value = max(found, key=lambda v: (found[v], -spans[v][0]))
            return value, self._located(value, body, spans[value]), "decision headings"
        m = self.committee_re.search(header)
        if m:
            value = self._clean_committee(m.group(0))
            if value:
                return value, self._located(value, header, m.span()), "header"
        return None

    # ------------------------------------------------------------------ date

    def parse_date(self, text: str) -> tuple[str, Span] | None:
        """The first date in `text` as ISO, with its span."""
        best = None
        for pattern, order in self.date_res:
            for m in pattern.finditer(text):
                if best is not None and m.start() >= best[1].start():
                    break
                if self._iso(order, m):
                    best = (order, m)
                    break
        if best is None:
            return None
        return self._iso(*best), best[1].span()

    def _iso(self, order: tuple, m: re.Match) -> str | None:
        parts = dict(zip(order, m.groups()))
        month = int(parts["m"]) if "m" in parts else self.config.months.get(parts["month"].lower().rstrip("."))
        if not month:
            return None
        year = int(parts["y"]) + (2000 if len(parts["y"]) == 2 else 0)
        try:
            return date(year, month, int(parts["d"])).isoformat()
        except ValueError:
            return None

    def _meeting_date(self, header: str, body: str, address: str | None) -> tuple[str, Span | None, str] | None:
        other = [label.lower() for label in self.config.other_date_labels]
        for label in self.config.date_labels:
            for m in re.finditer(rf"\b{re.escape(label)}\b[ \t]*:?", header):
                found = self.parse_date(header[m.end() : m.end() + 80].split("\n\n")[0])
                if found:
                    iso, (s, e) = found
                    return iso, (m.end() + s, m.end() + e), "header"
        offset = 0
        for line in header.split("\n"):
            if not any(label in line.lower() for label in other):
                found = self.parse_date(line)
                if found:
                    iso, (s, e) = found
                    return iso, (offset + s, offset + e), "header"
            offset += len(line) + 1
        if address:
            path = re.sub(r"[_/?=&]+", " ", unquote(address).split("/", 3)[-1])
            found = self.parse_date(path) or self.parse_date(re.sub(r"-+", " ", path))
            if found:
                return found[0], None, "address"
        dates: Counter = Counter()
        first: dict[str, Span] = {}
        for m in self._decision_headings(body):
            found = self.parse_date(m.group("date"))
            if found:
                dates[found[0]] += 1
                first.setdefault(found[0], m.span("date"))
        if dates:
            iso = max(dates, key=lambda d: (dates[d], -first[d][0]))
            return iso, first[iso], "decision headings"
        return None

    # ------------------------------------------------------------------ attendance

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
