"""The vocabulary of minutes layouts (configs/pipeline.yaml `segment`), compiled once: item numbering,
section headings, case-number labels and shapes, tables of contents, appendices, page furniture. Line
features, the rule detectors and the decoder all read it from here."""

from __future__ import annotations

import re

from pipeline.config import SegmentConfig


# Longer lines are running text: what only a short line can be (furniture, a case-number line, a dated heading)
# is not looked for in them.
SHORT_LINE = 200


def alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class AnyOf:
    """Any of several regular expressions on one line, fast: those anchored at its start ("^...") are tried as
    one match there, the others as one search; the leftmost match, as one alternation's search would find."""

    def __init__(self, patterns: list[str], flags: int = 0):
        anchored = [p[1:] for p in patterns if p.startswith("^")]
        anywhere = [p for p in patterns if not p.startswith("^")]
        self.at_start = re.compile("|".join(f"(?:{p})" for p in anchored), flags) if anchored else None
        self.anywhere = re.compile("|".join(f"(?:{p})" for p in anywhere), flags) if anywhere else None

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match | None:
        endpos = len(text) if endpos is None else endpos
        found = self.at_start.match(text, pos, endpos) if self.at_start else None
        return found or (self.anywhere.search(text, pos, endpos) if self.anywhere else None)


class Vocabulary:
    def __init__(self, config: SegmentConfig):
        self.config = config
        prefixes = alternation(list(config.type_prefixes))
        self.prefix_re = re.compile(rf"^(?P<prefix>{prefixes})(?P<sep>\s*[:\-–]\s*|\s+)(?P<rest>\S.*)$", re.S)
        words = alternation(config.item_words)
        self.item_word_re = re.compile(
            rf"(?m)^[ \t]*(?:{words})[ \t]*(?P<num>\d{{1,4}})[ \t]*[:.\-–)]?[ \t]+(?P<title>\S[^\n]*?)[ \t]*$"
        )
        self.case_header_re = re.compile(r"(?m)^[ \t]*(?P<title>\S[^\n]{2,250}?)\s+(?:Åben|Lukket) sag\b")
        self.numbered_re = re.compile(
            r"(?m)^[ \t]*(?P<num>\d{1,4})[ \t]*[.)][ \t]+(?P<title>[A-ZÆØÅ][^\n]{2,200}?)[ \t]*$"
        )
        labels = alternation(config.case_number_labels)
        self.case_label_line_re = re.compile(rf"(?m)^[ \t]*(?:{labels})[ \t]*:?[ \t]*(?P<value>\S+)[^\n]*$")
        self.case_number_res = [re.compile(p) for p in config.case_number_patterns]
        self.case_label_re = re.compile(rf"(?:{labels})\s*:?\s*")
        cases = "|".join(f"(?:{p})" for p in config.case_number_patterns)
        self.title_case_re = re.compile(rf"\s*\((?:(?:{labels})\s*:?\s*)?(?P<case>{cases})\)\s*$")
        self.appendix_re = re.compile("|".join(f"(?:{p})" for p in config.appendix_patterns), re.M)
        self.absence_sentence_res = [re.compile(p, re.I) for p in config.absence_sentence_patterns]
        toc = alternation(config.toc_headings)
        self.toc_re = re.compile(rf"(?m)^[ \t]*(?:{toc})\b[ \t]*:?")
        self.flat_toc_re = re.compile(rf"\b(?:{toc})\b[ \t]*:?")
        self.leader_re = re.compile(r"(?:\.{3,}|…+|\t| {3,})\s*\d{1,3}\s*$")

        rec = alternation(config.recommendation_headings)
        dec = alternation(config.decision_headings)
        other = alternation(config.other_headings)
        absence = alternation(config.absence_headings)
        # A heading alone on its line, a decision heading naming the body and date, or "Heading: text".
        tail = (
            r"(?P<tail>[ \t]*:?[ \t]*$|[ \t]+(?:i|for|fra|på)[ \t]+[^\n]{0,140}$|[ \t]+[^\n]{0,140}?\bden\b[^\n]{0,30}$"
            r"|[ \t]+[^\n]{0,140}?\d{1,2}[.\-/]\s?\d{1,2}[.\-/]\d{2,4}[ \t]*$|[ \t]*:[ \t]*(?=\S))"
        )
        self.line_heading_re = re.compile(
            rf"(?mi)^[ \t]*(?:(?P<rec>{rec})|(?P<dec>{dec})|(?P<abs>{absence})|(?P<other>{other})){tail}"
        )
        # the same, for an Indstilling or Beslutning heading only (is there one in a region?)
        self.line_rec_dec_re = re.compile(rf"(?mi)^[ \t]*(?:{rec}|{dec}){tail}")
        # In transcripts whole pages are one line: headings are found inline by their context.
        date = r"(?:\s+\d{1,2}[.\-/]\s?\d{1,2}[.\-/]\d{2,4}|\s+\d{1,2}\.?\s+[a-zæøå]+\s+\d{4})?"
        self.flat_heading_re = re.compile(
            rf"(?P<rec>\b(?:{rec})\s+(?=[^.]{{0,200}}?\bindstille[rs]\b))"
            rf"|(?P<dec>\b(?:{dec})\s+(?:(?:i|for|fra)\s+)?[^.\n]{{0,120}}?\bden\b{date})"
            rf"|(?P<other>\b(?:{other})\b(?=\s+[A-ZÆØÅ]))"
        )
