"""Where a document's outputs go and how they are written (atomically, text before the JSON that points into it)."""

from __future__ import annotations

from pathlib import Path

from pipeline.records import Document
from pipeline.writers import write_document


def output_paths(path: Path, out_dir: Path) -> tuple[Path, Path]:
    """DIR/<stem>.json and the normalised text it points into, DIR/text/<stem>.txt."""
    return out_dir / f"{path.stem}.json", out_dir / "text" / f"{path.stem}.txt"


def write_outputs(document: Document, out_dir: Path) -> Path:
    json_path, text_path = output_paths(document.source.path, out_dir)
    return write_document(document, json_path, text_path, out_dir)
