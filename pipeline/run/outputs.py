"""Where a document's outputs go and how they are written (atomically, text before the JSON that points into it).

Output names mirror the input tree and are unique within a run: an input's path under the folder it was found
in, without its suffix (`a/referat.pdf` → OUT/a/referat.json, text in OUT/text/a/referat.txt). Inputs that would
share that name keep their suffix (`referat.pdf.json`, `referat.txt.json`); any still alike (the same relative
path under two input folders) are numbered in argument order (`referat~2.json`)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path, PurePosixPath

from pipeline.ingest import Found
from pipeline.records import Document
from pipeline.run.storage import is_url, join, write_text
from pipeline.writers import write_document


def output_names(found: list[Found]) -> list[str]:
    """Each input's output name (relative, POSIX, no extension), unique in the run and the same on every run
    over the same tree."""
    stems = [str(PurePosixPath(f.relative).with_suffix("")) for f in found]
    suffixes: dict[str, set[str]] = {}
    for stem, f in zip(stems, found):
        suffixes.setdefault(stem.casefold(), set()).add(PurePosixPath(f.relative).suffix.lower())
    names = [f.relative if len(suffixes[stem.casefold()]) > 1 else stem for stem, f in zip(stems, found)]
    taken = Counter(name.casefold() for name in names)
    used: set[str] = set()
    unique = []
    for name in names:
        candidate, number = name, 1
        while candidate.casefold() in used or (number > 1 and taken[candidate.casefold()]):
            number += 1
            candidate = f"{name}~{number}"
        used.add(candidate.casefold())
        unique.append(candidate)
    return unique


def output_paths(name: str, out_dir) -> tuple[str, str]:
    """OUT/<name>.json and the normalised text it points into, OUT/text/<name>.txt (paths or URLs)."""
    return join(out_dir, f"{name}.json"), join(out_dir, "text", f"{name}.txt")


def write_outputs(document: Document, out_dir, name: str) -> str:
    """The document's text, then its JSON pointing into it (so a JSON that is there always has its text); each
    whole or not at all, locally or in a store. Returns the JSON's path relative to OUT."""
    json_path, text_path = output_paths(name, out_dir)
    if not is_url(out_dir):
        write_document(document, Path(json_path), Path(text_path), Path(out_dir))
    else:
        write_text(text_path, document.source.text)
        write_text(json_path, json.dumps(document.to_json(text_path=f"text/{name}.txt"), ensure_ascii=False, indent=2)
                   + "\n")
    return f"{name}.json"
