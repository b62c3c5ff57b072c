"""The output contract (shared/gold/GUIDELINES.md) as a validator: what `referat run` writes and what gold files
hold, so `export`, `evaluate` and `import-annotations` can say which file and which field is wrong instead of
failing somewhere later. Gold may hold null where a field cannot be judged; extra keys (spans, provenance,
confidence, notes) are allowed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ITEM_TYPE = Literal["Beslutning", "Orientering", "Drøftelse", "Meddelelser"]
OUTCOME = Literal["approved", "rejected", "noted", "discussed", "postponed", "fell", "none"]
STANCE = Literal["against", "abstain", "minority_proposal", "reservation"]
RESULT = Literal["adopted", "rejected", "fell", "unknown"]
# Files an output folder holds beside the documents: evaluation results.
NOT_DOCUMENTS = frozenset({"metrics.json", "scores.json"})


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Vote(_Open):
    motion: str | None
    for_: list[str] = Field(alias="for")
    against: list[str]
    abstain: list[str]
    result: RESULT | None


class Position(_Open):
    party: str | None
    members: list[str] | None
    stance: STANCE
    rationale: str | None


class Item(_Open):
    number: int | None
    provenance: dict[str, str] | None = None
    confidence: dict[str, float | dict[str, float]] | None = None
    title: str | None
    title_prefix: str | None = None
    case_number: str | None = None
    type: ITEM_TYPE | None = None
    topics: list[str] | None = None
    recommendation: str | None = None
    decision: str | None = None
    outcome: OUTCOME | None = None
    votes: list[Vote] | None = None
    positions: list[Position] | None = None
    summary: str | None = None


class DocumentContract(_Open):
    document: str = Field(min_length=1)
    municipality: str | None = None
    committee: str | None = None
    meeting_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    attendees: list[str] | None = None  # a cut page's gold may leave out what it cannot judge
    absent: list[str] | None = None
    items: list[Item]
    source: dict | str | None = None  # `referat run`: the input's path, hash, format, text; gold: where it came from
    warnings: list[str] = []


class ContractError(Exception):
    """A JSON file that is not a document of the output contract; str() is one line: the file and the reason."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def text_path_of(document: dict) -> str | None:
    """Where a run's document keeps its normalised text (relative to the run's output folder), if it says."""
    source = document.get("source")
    return source.get("text_path") if isinstance(source, dict) else None


def contract_problem(data: object) -> str | None:
    """None for a valid document, else the first offending field and what is wrong with it."""
    try:
        DocumentContract.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
        return f"field {where}: {first['msg']}{more}"
    return None


def read_document(path: Path) -> dict:
    """A document JSON, checked against the contract; ContractError names the file and the field."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ContractError(path, "not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise ContractError(path, f"not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None
    except OSError as err:
        raise ContractError(path, f"cannot read ({err.strerror or err})") from None
    problem = contract_problem(data)
    if problem:
        raise ContractError(path, f"does not match the output contract: {problem}")
    return data


def document_files(folder: Path) -> list[Path]:
    """The document JSONs of an output or gold folder, at any depth (outputs mirror the input tree)."""
    folder = Path(folder)
    if not folder.exists():
        raise ContractError(folder, "no such folder")
    if not folder.is_dir():
        raise ContractError(folder, "is not a folder")
    return [path for path in sorted(folder.rglob("*.json")) if path.name not in NOT_DOCUMENTS]
