"""Typed records that flow between stages. Their JSON form is the gold schema (shared/gold/GUIDELINES.md)
plus provenance keys (`spans`, `source`) that trace every verbatim value back to the normalised text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

Span = tuple[int, int]


def squash(text: str) -> str:
    """Whitespace-normalise: how verbatim fields are written, and how a span's text is compared to them."""
    return " ".join(text.split())


@dataclass(frozen=True)
class SourceText:
    """A file read and normalised: the text every offset in the output refers to."""

    path: Path | str  # a local path, or a store's URL (s3://...) the file was read from
    format: str  # "txt" | "pdf" | "html" | "docx"
    text: str
    encoding: str | None = None
    pages: int | None = None
    sha256: str = ""
    # Offsets where the meeting's own text ends (a transcript's trailing link listing is not part of it).
    body_end: int | None = None
    # A PDF transcript with one line per page: headings and sections sit inside lines, not on their own.
    transcript: bool = False
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"path": str(self.path), "format": self.format, "encoding": self.encoding, "pages": self.pages,
                "sha256": self.sha256, "body_end": self.body_end, "transcript": self.transcript,
                "warnings": list(self.warnings), "text": self.text}

    @classmethod
    def from_json(cls, data: dict) -> "SourceText":
        return cls(Path(data["path"]), data["format"], data["text"], data["encoding"], data["pages"], data["sha256"],
                   data["body_end"], data["transcript"], tuple(data["warnings"]))


@dataclass
class Vote:
    motion: str
    for_: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    abstain: list[str] = field(default_factory=list)
    result: str = "unknown"
    tally: dict[str, int] | None = None  # "med 25 stemmer mod 4"

    @classmethod
    def from_json(cls, data: dict) -> "Vote":
        return cls(data["motion"], data["for"], data["against"], data["abstain"], data["result"], data.get("tally"))

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

    @classmethod
    def from_json(cls, data: dict) -> "Position":
        span = data.get("spans", {}).get("rationale")
        return cls(data["party"], data["members"], data["stance"], data["rationale"], tuple(span) if span else None)

    def to_json(self) -> dict:
        out = {"party": self.party, "members": self.members, "stance": self.stance, "rationale": self.rationale}
        if self.rationale_span:
            out["spans"] = {"rationale": list(self.rationale_span)}
        return out


@dataclass
class Item:
    number: int
    title: str | None  # None: not printed, or not on this page (it starts inside the item)
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

    @classmethod
    def from_json(cls, data: dict) -> "Item":
        item = cls(**{k: data[k] for k in ("number", "title", "title_prefix", "case_number", "type", "topics",
                                           "recommendation", "decision", "outcome", "summary")})
        item.votes = [Vote.from_json(v) for v in data["votes"]]
        item.positions = [Position.from_json(p) for p in data["positions"]]
        item.spans = {name: tuple(span) for name, span in data["spans"].items()}
        item.provenance, item.confidence = dict(data["provenance"]), dict(data["confidence"])
        return item


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
    # Where each metadata value came from ("header", "text", "decision headings", "address").
    provenance: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict, source: SourceText) -> "Document":
        """A document written by to_json, over the source it was made from (its text is not in the JSON)."""
        return cls(source, data["municipality"], data["committee"], data["meeting_date"], data["attendees"],
                   data["absent"], [Item.from_json(i) for i in data["items"]],
                   {name: tuple(span) for name, span in data["spans"].items()}, data["segmentation"],
                   list(data["warnings"]), dict(data.get("provenance", {})))

    def to_json(self, text_path: str | None = None) -> dict:
        return {
            "document": PurePosixPath(str(self.source.path)).name,
            "municipality": self.municipality,
            "committee": self.committee,
            "meeting_date": self.meeting_date,
            "attendees": self.attendees,
            "absent": self.absent,
            "items": [item.to_json() for item in self.items],
            "spans": {name: list(span) for name, span in self.spans.items()},
            "segmentation": self.segmentation,
            "provenance": self.provenance,
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
