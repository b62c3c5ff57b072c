"""Where a document's outputs go and how they are written (atomically, text before the JSON that points into it)."""

from __future__ import annotations

from pathlib import Path

from pipeline.records import Document
from pipeline.writers import write_json_atomic, write_text_atomic


def output_paths(path: Path, out_dir: Path) -> tuple[Path, Path]:
    """DIR/<stem>.json and the normalised text it points into, DIR/text/<stem>.txt."""
    return out_dir / f"{path.stem}.json", out_dir / "text" / f"{path.stem}.txt"


def write_outputs(document: Document, out_dir: Path) -> Path:
    """The normalised text first, then the JSON that points into it: a JSON on disk always has its text."""
    json_path, text_path = output_paths(document.source.path, out_dir)
    write_text_atomic(text_path, document.source.text)
    write_json_atomic(json_path, document.to_json(text_path=str(text_path.relative_to(out_dir))))
    return json_path
