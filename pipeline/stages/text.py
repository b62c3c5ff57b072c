"""Text helpers shared by stages: word tokens, and sentence-like units as offsets into the normalised text."""

from __future__ import annotations

import re

from pipeline.records import Span

_ABBREVIATIONS = {
    "pga", "bl.a", "jf", "ca", "evt", "nr", "kr", "mio", "mia", "f.eks", "fx", "dvs", "inkl", "ekskl", "stk",
    "pkt", "kl", "d", "tlf", "vedr", "mht", "ift", "iht", "hhv", "m.fl", "o.l", "osv", "mv", "m.v", "jvf",
    "ang", "iflg", "dags", "bl", "ff", "pct", "sek", "afd",
}


_LINE = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÆØÅ0-9\"”(])")
_LAST_WORD = re.compile(r"([\w.]+)$")
_WORDS = re.compile(r"\w+")


def tokens(text: str | None) -> list[str]:
    """Lower-cased word tokens (Python's \\w is Unicode: æ, ø and å are letters), for scoring and ranking."""
    return _WORDS.findall((text or "").lower())


def sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentence-like units (lines, then sentences within them) as offsets; abbreviations do not end one."""
    units = []
    for line in _LINE.finditer(text[start:end]):
        line_start = start + line.start()
        chunk = line.group(0)
        cursor = 0
        for m in _SENTENCE_END.finditer(chunk):
            word = _LAST_WORD.search(chunk[cursor : m.start()])
            if word and word.group(1).lower().strip(".") in _ABBREVIATIONS:
                continue
            if _is_initial(chunk[cursor : m.start()]):
                continue
            units.append((line_start + cursor, line_start + m.end()))
            cursor = m.end()
        units.append((line_start + cursor, line_start + len(chunk)))
    result = []
    for s, e in units:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((s, e))
    return result


def _is_initial(before: str) -> bool:
    """"Duygu A. Ngotho": a capital letter after a first name is an initial, not a sentence end
    (but "Gruppe A." ends one)."""
    if re.fullmatch(r"\s*[A-ZÆØÅ]", before):  # "A. Hansen stemte ..." opens the sentence
        return True
    m = re.search(r"(?:^|\s)([A-ZÆØÅ][a-zæøåé]+)\s+[A-ZÆØÅ]$", before)
    return bool(m) and not m.group(1).lower().endswith(("gruppe", "gruppen"))
