"""Typed records that flow between stages. Their JSON form is the gold schema (shared/gold/GUIDELINES.md)
plus provenance keys (`spans`, `source`) that trace every verbatim value back to the normalised text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

Span = tuple[int, int]


def squash(text: str) -> str:
    """Whitespace-normalise: how verbatim fields are written, and how a span's text is compared to them."""
    return " ".join(text.split())


@dataclass(frozen=True)
class SourceText:
    """A file read and normalised: the text every offset in the output refers to."""

    path: Path
    format: str  # "txt" | "pdf" | "html"
    text: str
    encoding: str | None = None
    pages: int | None = None
    sha256: str = ""
    # Offsets where the meeting's own text ends (a transcript's trailing link listing is not part of it).
    body_end: int | None = None
    # A PDF transcript with one line per page: headings and sections sit inside lines, not on their own.
    transcript: bool = False
    warnings: tuple[str, ...] = ()


@dataclass
class Vote:
    motion: str
    for_: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    abstain: list[str] = field(default_factory=list)
    result: str = "unknown"
    tally: dict[str, int] | None = None  # "med 25 stemmer mod 4"

    def to_json(self) -> dict:
        out = {
            "motion": self.motion,
            "for": self.for_,
            "against": self.against,
            "abstain": self.abstain,
            "result": self.result,
        }
        if self.tally:
            out["tally"] = self.tally
        return out


@dataclass
class Position:
    party: str | None
    members: list[str]
    stance: str
    rationale: str | None = None
    rationale_span: Span | None = None

    def to_json(self) -> dict:
        out = {"party": self.party, "members": self.members, "stance": self.stance, "rationale": self.rationale}
        if self.rationale_span:
            out["spans"] = {"rationale": list(self.rationale_span)}
        return out


@dataclass
class Item:
    number: int
    title: str
    title_prefix: str | None = None
    case_number: str | None = None
    type: str | None = None
    topics: list[str] = field(default_factory=list)
    recommendation: str | None = None
    decision: str | None = None
    outcome: str | None = None
    votes: list[Vote] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    summary: str | None = None
    spans: dict[str, Span] = field(default_factory=dict)
    # Which rule or model produced a label, so researchers can tell baselines from trained output.
    provenance: dict[str, str] = field(default_factory=dict)
    # Model probabilities ({"type": p, "topics": {label: p}}), so uncertain items can be reviewed first.
    confidence: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "title_prefix": self.title_prefix,
            "case_number": self.case_number,
            "type": self.type,
            "topics": self.topics,
            "recommendation": self.recommendation,
            "decision": self.decision,
            "outcome": self.outcome,
            "votes": [v.to_json() for v in self.votes],
            "positions": [p.to_json() for p in self.positions],
            "summary": self.summary,
            "spans": {name: list(span) for name, span in self.spans.items()},
            "provenance": self.provenance,
            "confidence": self.confidence,
        }


@dataclass
class Document:
    source: SourceText
    municipality: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    attendees: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)
    segmentation: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self, text_path: str | None = None) -> dict:
        return {
            "document": self.source.path.name,
            "municipality": self.municipality,
            "committee": self.committee,
            "meeting_date": self.meeting_date,
            "attendees": self.attendees,
            "absent": self.absent,
            "items": [item.to_json() for item in self.items],
            "spans": {name: list(span) for name, span in self.spans.items()},
            "segmentation": self.segmentation,
            "warnings": self.warnings,
            "source": {
                "path": str(self.source.path),
                "format": self.source.format,
                "encoding": self.source.encoding,
                "pages": self.source.pages,
                "sha256": self.source.sha256,
                "text_path": text_path,
                "warnings": list(self.source.warnings),
            },
        }
