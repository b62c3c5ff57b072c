"""Output edge: files are written to a temporary file beside the target and renamed into place, so a
crash or a full disk never leaves a half-written result."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """An output folder that cannot be used; str() is one line: the path and the reason."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def prepare_output_dir(path: Path) -> Path:
    """Make the output folder, or say clearly why it cannot be one, before any work is done."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(path, "output path exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(path, f"cannot create the output folder ({err.strerror or err})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(path, "output folder is not writable")
    return path


def write_text_atomic(path: Path, content: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: object) -> None:
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_document(document, json_path: Path, text_path: Path, root: Path) -> Path:
    """A document's normalised text first, then its JSON pointing into it (text path relative to `root`): a
    JSON on disk always has its text."""
    write_text_atomic(text_path, document.source.text)
    write_json_atomic(json_path, document.to_json(text_path=str(Path(text_path).relative_to(root))))
    return json_path
