"""Where a batch run reads and writes: a local (or mounted) path, or a URL of any fsspec store (`s3://bucket/
prefix`, `gs://…`, `memory://…`), so that workers on other machines of a cluster read the inputs and write the
outputs where the driver does. A local path keeps today's guarantees by a temporary file and a rename; an object
store's single PUT is whole or not there at all, so an output is never half-written either way.

S3-compatible servers other than AWS are named the usual way (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path, PurePosixPath

from pipeline.ingest import CONVERTIBLE, SUPPORTED_SUFFIXES, Discovery, Found, discover as discover_local
from pipeline.writers import OutputError, write_text_atomic


def is_url(location) -> bool:
    return "://" in str(location)


def filesystem(url: str):
    """The fsspec filesystem of a URL and the path inside it."""
    import fsspec

    return fsspec.core.url_to_fs(str(url))


def join(base, *parts: str) -> str:
    """A location under `base`, a URL or a local path."""
    if is_url(base):
        return "/".join([str(base).rstrip("/"), *parts])
    return str(Path(base).joinpath(*parts))


def discover(inputs) -> Discovery:
    """Minutes files under local paths (ingest.discover) and under URLs (listed through their store)."""
    local = [Path(i) for i in inputs if not is_url(i)]
    found = discover_local(local) if local else Discovery([], [], [])
    for url in (str(i) for i in inputs if is_url(i)):
        fs, root = filesystem(url)
        protocol = url.split("://", 1)[0]
        if fs.isfile(root):
            found.files.append(Found(url, PurePosixPath(root).name))
            continue
        if not fs.exists(root):
            found.problems.append(f"{url}: no such file or folder")
            continue
        for key in sorted(fs.find(root)):
            relative = PurePosixPath(key).relative_to(PurePosixPath(root.rstrip("/"))).as_posix()
            location = f"{protocol}://{key}"
            suffix = PurePosixPath(key).suffix.lower()
            if PurePosixPath(relative).name.startswith("."):
                found.skipped.append((location, "hidden file"))
            elif suffix in CONVERTIBLE:
                found.skipped.append((location, CONVERTIBLE[suffix]))
            elif suffix not in SUPPORTED_SUFFIXES:
                found.skipped.append((location, f"not a minutes format ({suffix or 'no suffix'})"))
            else:
                found.files.append(Found(location, relative))
    return found


def read_bytes(location) -> bytes:
    if is_url(location):
        fs, path = filesystem(location)
        return fs.cat_file(path)
    return Path(location).read_bytes()


def sha256_of(location) -> str | None:
    try:
        return hashlib.sha256(read_bytes(location)).hexdigest()
    except (OSError, ValueError):
        return None


def fetch(url: str, folder: Path) -> Path:
    """A URL's bytes as a local file of the same name (the readers sniff formats from bytes and names)."""
    target = Path(folder) / PurePosixPath(filesystem(url)[1]).name
    target.write_bytes(read_bytes(url))
    return target


def write_text(location, content: str) -> None:
    """Whole or not at all: a temporary file and a rename locally, one PUT in an object store."""
    if is_url(location):
        fs, path = filesystem(location)
        fs.pipe_file(path, content.encode("utf-8"))
    else:
        write_text_atomic(Path(location), content)


def read_json(location) -> dict | None:
    try:
        return json.loads(read_bytes(location).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def exists(location) -> bool:
    if is_url(location):
        fs, path = filesystem(location)
        return fs.exists(path)
    return Path(location).exists()


def prepare_output(location) -> None:
    """An output location that can be written to, or an OutputError naming it and why."""
    if not is_url(location):
        from pipeline.writers import prepare_output_dir

        prepare_output_dir(Path(location))
        return
    fs, path = filesystem(location)
    bucket = path.split("/", 1)[0]
    try:
        if not fs.exists(bucket):
            raise OutputError(Path(str(location)), f"the store has no {bucket!r} (create the bucket first)")
    except (OSError, PermissionError) as err:
        raise OutputError(Path(str(location)), f"cannot reach the store ({err})") from None


def materialize(location) -> Path:
    """A local folder holding what `location` holds (itself where it is local): `export` and `evaluate` read
    a run written to a store this way."""
    if not is_url(location):
        return Path(location)
    fs, path = filesystem(location)
    folder = Path(tempfile.mkdtemp(prefix="referat-"))
    if not fs.exists(path):
        raise OutputError(Path(str(location)), "no such folder in the store")
    fs.get(path.rstrip("/") + "/", str(folder), recursive=True)
    return folder


def store_environment() -> dict[str, str]:
    """The driver's settings of the stores (credentials, endpoints), for workers started elsewhere."""
    prefixes = ("AWS_", "FSSPEC_", "GOOGLE_", "AZURE_")
    return {key: value for key, value in os.environ.items() if key.startswith(prefixes)}
