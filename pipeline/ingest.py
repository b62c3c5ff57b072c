"""Ingest: read a minutes file (txt, PDF, HTML) into normalised text.

Everything downstream holds character offsets into the text made here, so all cleaning that changes
offsets (encoding repair, Unicode normalisation, page headers and footers) happens in this module only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import IngestConfig
from pipeline.records import SourceText

SUPPORTED_SUFFIXES = {".txt": "txt", ".text": "txt", ".pdf": "pdf", ".html": "html", ".htm": "html", ".docx": "docx"}
# Document formats minutes come in that referat does not read, with what to do about them.
CONVERTIBLE = {
    ".doc": "old Word format (.doc): convert it to .docx (libreoffice --headless --convert-to docx)",
    ".rtf": "Rich Text Format (.rtf): convert it to .docx (libreoffice --headless --convert-to docx)",
    ".odt": "OpenDocument text (.odt): convert it to .docx (libreoffice --headless --convert-to docx)",
    ".wpd": "WordPerfect (.wpd): convert it to .docx",
    ".xls": "spreadsheet (.xls), not minutes text", ".xlsx": "spreadsheet (.xlsx), not minutes text",
}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc/.xls files


@dataclass(frozen=True)
class Found:
    """An input file and its path under the folder it was found in (a file given directly: its name)."""

    path: Path
    relative: str


class IngestError(Exception):
    """A file that cannot be turned into text; str() is one line naming the file and the reason."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def read_source(path: Path, config: IngestConfig) -> SourceText:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > config.max_megabytes * 1024 * 1024:
            raise IngestError(path, f"file too large ({size / 1024 / 1024:.0f} MB > {config.max_megabytes} MB limit "
                                    f"in configs/pipeline.yaml)")
        raw = path.read_bytes()
    except IsADirectoryError:
        raise IngestError(path, "is a directory, not a file") from None
    except PermissionError:
        raise IngestError(path, "permission denied") from None
    except OSError as err:
        raise IngestError(path, f"cannot read file ({err.strerror or err})") from None
    if not raw.strip():
        raise IngestError(path, "empty file")
    digest = hashlib.sha256(raw).hexdigest()
    kind = sniff_format(path, raw)
    if kind in ("txt", "html") and raw.count(b" ") + raw.count(b"\n") > 2 * config.max_words:
        _too_long(path, raw.count(b" ") + raw.count(b"\n"), config)  # before decoding: memory stays small
    if kind == "pdf":
        text, pages, warnings = _pdf_text(path, raw, config)
        source = SourceText(path, "pdf", text, None, pages, digest, warnings=tuple(warnings))
    elif kind == "docx":
        source = SourceText(path, "docx", normalise(_docx_text(path, raw)), None, None, digest)
    else:
        decoded, encoding = decode_bytes(path, raw, config)
        if kind == "html":
            source = SourceText(path, "html", normalise(html_to_text(decoded)), encoding, None, digest)
        else:
            source = text_source(path, decoded, config, encoding, digest)
    words = len(source.text.split())
    if words > config.max_words:
        _too_long(path, words, config)
    return bounded_lines(source, config.max_line_chars)


def _too_long(path: Path, words: int, config: IngestConfig):
    raise IngestError(path, f"about {words:,} words, more than the {config.max_words:,} a document may have "
                            f"(ingest.max_words in configs/pipeline.yaml): a whole archive in one file? split it into meetings")


def bounded_lines(source: SourceText, limit: int) -> SourceText:
    """A line longer than `limit` characters (a text export that lost its line breaks) is cut into lines at
    sentence ends, else at spaces, so that every later stage works on lines of bounded length; the source
    says so in its warnings. Offsets stay those of the text returned."""
    text = source.text
    if len(text) <= limit or all(len(line) <= limit for line in text.split("\n")):
        return source
    out, cut_lines = [], 0
    for line in text.split("\n"):
        if len(line) <= limit:
            out.append(line)
            continue
        cut_lines += 1
        start = 0
        while len(line) - start > limit:
            window = line[start : start + limit]
            end = max(window.rfind(". "), window.rfind("! "), window.rfind("? "))
            end = end + 1 if end > limit // 4 else window.rfind(" ")
            end = end if end > 0 else limit
            out.append(line[start : start + end].rstrip())
            start += end
            while start < len(line) and line[start] == " ":
                start += 1
        out.append(line[start:])
    warning = f"{cut_lines} line(s) longer than {limit:,} characters cut into lines at sentence ends"
    new_text = "\n".join(out)
    return dataclasses.replace(source, text=new_text, body_end=None if source.body_end is None else
                               min(source.body_end, len(new_text)), warnings=source.warnings + (warning,))


def text_source(path: Path, text: str, config: IngestConfig, encoding: str | None = "utf-8", digest: str = "") -> SourceText:
    """Decoded plain text as a source: normalised, PDF-transcript pages recognised (also for text made in memory,
    such as the synthetic training minutes)."""
    text, pages, body_end = strip_transcript_pages(normalise(text), config)
    return SourceText(path, "txt", text, encoding, pages, digest, body_end=body_end, transcript=pages is not None)


def sniff_format(path: Path, raw: bytes) -> str:
    """Format from the bytes first (a PDF saved as .txt is still a PDF), the extension second."""
    if raw.startswith(OLE2_MAGIC):
        raise IngestError(path, CONVERTIBLE[".xls" if path.suffix.lower() == ".xls" else ".doc"])
    head = raw[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and path.suffix.lower() == ".docx":
        return "docx"
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered or b"<body" in lowered:
        return "html"
    return SUPPORTED_SUFFIXES.get(path.suffix.lower(), "txt")


def decode_bytes(path: Path, raw: bytes, config: IngestConfig) -> tuple[str, str]:
    """Detect the encoding: BOMs, then strict UTF-8, then charset detection among the configured encodings."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf_16"
    if b"\x00" in raw[:4096]:
        raise IngestError(path, "binary file (contains NUL bytes), not text")
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf_8"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw, cp_isolation=list(config.encodings)).best()
        if best is None:
            raise IngestError(path, "unknown text encoding (not UTF-8 nor any configured encoding)") from None
        text, encoding = str(best), best.encoding
    controls = len(_CONTROL.findall(text))
    if controls > config.max_control_char_ratio * len(text):
        raise IngestError(path, f"binary file ({controls} control characters), not text")
    sample = text[:20000]
    latin = len(_LATIN.findall(sample))
    if latin < 0.8 * len(sample):  # random bytes that happen to start like UTF-16 decode to CJK soup
        raise IngestError(path, f"binary file or not Danish text ({encoding}: {100 * latin // len(sample)} % Latin characters)")
    return _repair_mojibake(text), encoding


# Control characters (Unicode category Cc) but the whitespace ones; Latin script and general punctuation.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_LATIN = re.compile("[\x00-\u024f\u2000-\u206f]")
_MOJIBAKE = re.compile("Ã[¥¸¦…˜†]|Ã\u0098|Ã\u0085|â€[™œ\u009d“”]")


def _repair_mojibake(text: str) -> str:
    """UTF-8 that was once read as Windows-1252 ("Ã¥" for "å") is repaired; clean text is left alone."""
    if not _MOJIBAKE.search(text):
        return text
    import ftfy

    return ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=False, normalization="NFC")


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"), " ")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
_ODD = re.compile("[" + "".join(map(chr, [*_INVISIBLE, *_SPACES])) + "".join(_LIGATURES) + "]")


def normalise(text: str) -> str:
    """NFC, Unix newlines, ordinary spaces, no invisible characters or ligatures."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _ODD.search(text):  # translating costs a dictionary look-up per character: only where there is work
        text = text.translate(_INVISIBLE).translate(_SPACES)
        for ligature, letters in _LIGATURES.items():
            text = text.replace(ligature, letters)
    return unicodedata.normalize("NFC", text)


_PAGE_LINE = re.compile(r"^(\d{1,4}) (\S.*)$")


def strip_transcript_pages(text: str, config: IngestConfig) -> tuple[str, int | None, int | None]:
    """A PDF transcript exported as text has one line per page, "N <running header> <page text>".

    Detect the numbered page lines, drop the page numbers and the running header shared by most pages,
    and mark where the last page ends (what follows, such as related-document listings, is not the meeting).
    """
    lines = text.split("\n")
    chain: dict[int, list[int]] = {}
    best: list[int] = []
    for index, line in enumerate(lines):
        match = _PAGE_LINE.match(line)
        if not match:
            continue
        number = int(match.group(1))
        run = chain.get(number - 1, []) + [index]
        if len(run) > len(chain.get(number, [])):
            chain[number] = run
        if len(run) > len(best):
            best = run
    if len(best) < config.transcript_min_pages:
        return text, None, None
    bodies = [_PAGE_LINE.match(lines[i]).group(2) for i in best]
    if sorted(len(b) for b in bodies)[len(bodies) // 2] < config.transcript_min_page_chars:
        return text, None, None  # numbered short lines: a list of items ("342 Godkendelse af dagsorden"), not pages
    header = _running_header(bodies, config.transcript_header_min_share)
    first_number = int(_PAGE_LINE.match(lines[best[0]]).group(1))
    out = lines[: best[0]]
    for offset, body in enumerate(bodies):
        if header and body.startswith(header) and offset:  # the first page keeps it: it names the meeting
            body = body[len(header) :].lstrip()
            body = re.sub(rf"^{first_number + offset}\b\s*", "", body)
        out.append(body)
        out.append("")
    body_end = len("\n".join(out))
    tail = lines[best[-1] + 1 :]
    return "\n".join(out + tail), len(best), body_end


def _running_header(pages: list[str], min_share: float) -> str:
    """The longest word prefix shared by at least `min_share` of pages (digits may differ: page numbers)."""
    tokens = [page.split() for page in pages]
    for width in range(10, 0, -1):
        prefixes = Counter(" ".join(t[:width]) for t in tokens if len(t) >= width)
        if not prefixes:
            continue
        prefix, count = prefixes.most_common(1)[0]
        # a crawled transcript is often cut after two or three pages: two pages sharing a header of three
        # or more words are enough
        enough = count >= 3 or (count == 2 and width >= 3)
        if enough and count >= min_share * len(pages) and not prefix[:1].isdigit():
            return prefix
    return ""


def pdf_problem(raw: bytes, ocr: bool = False) -> str | None:
    """Why a PDF will fail, found without reading it all (for `referat doctor`): a password needed to open
    it, a corrupt file, no pages, or no text layer in its first pages (unless OCR is on)."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            return "password-protected PDF (it opens only with its password)"
        pages = len(reader.pages)
        if not pages:
            return "PDF has no pages"
        if not ocr and not any((reader.pages[i].extract_text() or "").strip() for i in range(min(3, pages))):
            return "PDF has no text layer in its first pages (scanned images?); OCR is not enabled (referat run --ocr)"
    except FileNotDecryptedError:
        return "password-protected PDF (it opens only with its password)"
    except DependencyError as err:
        return f"encrypted PDF that this installation cannot decrypt ({err})"
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as err:
        return f"corrupt or truncated PDF ({type(err).__name__}: {err})"
    return None


def _pdf_text(path: Path, raw: bytes, config: IngestConfig) -> tuple[str, int, list[str]]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        # an encrypted PDF is opened with the empty user password (many published PDFs only restrict editing)
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError:
        raise IngestError(path, "password-protected PDF (it opens only with its password)") from None
    except DependencyError as err:
        raise IngestError(path, f"encrypted PDF that this installation cannot decrypt ({err})") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as err:
        raise IngestError(path, f"corrupt or truncated PDF ({type(err).__name__}: {err})") from None
    if not pages:
        raise IngestError(path, "PDF has no pages")
    warnings = []
    if not any(page.strip() for page in pages):
        if not config.ocr:
            raise IngestError(path, f"PDF has no text layer ({len(pages)} pages, scanned images?); OCR is not enabled "
                                    f"(referat run --ocr)")
        pages = ocr_pages(path, config)
        warnings.append(f"text read by OCR ({config.ocr_language}, {config.ocr_dpi} dpi)")
    pages = [normalise(page) for page in pages]
    cleaned = remove_repeated_lines(pages, config.repeated_line_min_share)
    warnings += [f"page {i + 1} has no text" for i, page in enumerate(pages) if not page.strip()]
    return "\n\n".join(cleaned), len(pages), warnings


def _docx_text(path: Path, raw: bytes) -> str:
    """A Word document's paragraphs (headings included) and table rows, in document order, one per line."""
    import io
    import zipfile

    from docx import Document as WordDocument
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = WordDocument(io.BytesIO(raw))
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells if cell.text.strip()))
                    lines.append("  ".join(cells))
            else:
                lines.append(block.text)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise IngestError(path, f"corrupt or unreadable .docx ({type(err).__name__}: {err})") from None
    return "\n".join(lines)


def ocr_pages(path: Path, config: IngestConfig) -> list[str]:
    """Page texts of a scanned PDF: poppler's pdftoppm renders the pages, tesseract reads them."""
    import shutil
    import subprocess
    import tempfile

    missing = [tool for tool in ("pdftoppm", "tesseract") if not shutil.which(tool)]
    if missing:
        raise IngestError(path, f"PDF has no text layer and OCR needs {' and '.join(missing)} "
                                f"(Debian: poppler-utils, tesseract-ocr-{config.ocr_language})")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(["pdftoppm", "-r", str(config.ocr_dpi), "-png", str(path), f"{tmp}/page"],
                           check=True, capture_output=True, timeout=600)
            return [
                subprocess.run(["tesseract", str(image), "stdout", "-l", config.ocr_language], check=True,
                               capture_output=True, text=True, timeout=300).stdout
                for image in sorted(Path(tmp).glob("page*.png"))
            ]
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
            raise IngestError(path, f"OCR failed ({err})") from None


def remove_repeated_lines(pages: list[str], min_share: float, edge: int = 3) -> list[str]:
    """Drop running headers and footers: lines among the first/last `edge` of a page that recur at the same
    position on at least `min_share` of the pages (and on 3 or more), identical but for the page number
    ("Side 3 af 9" matches "Side 4 af 9"; "Sagsnr. 23/1003" does not match "Sagsnr. 23/1004")."""
    if len(pages) < 3:
        return pages

    def key(line: str, page_number: int) -> str:
        return re.sub(rf"(?<!\d){page_number}(?!\d)", "#", " ".join(line.split()), count=1)

    def edge_keys(lines: list[str], page_number: int) -> dict[int, tuple[int, str]]:
        """Line index → (position counted from the top or, negative, from the bottom; masked text)."""
        filled = [i for i, line in enumerate(lines) if line.strip()]
        keys = {i: (rank, key(lines[i], page_number)) for rank, i in enumerate(filled[:edge])}
        keys.update({i: (-rank - 1, key(lines[i], page_number)) for rank, i in enumerate(reversed(filled[-edge:]))})
        return keys

    page_lines = [page.split("\n") for page in pages]
    page_keys = [edge_keys(lines, number) for number, lines in enumerate(page_lines, start=1)]
    counts = Counter(k for keys in page_keys for k in set(keys.values()))
    needed = max(3, min_share * len(pages))
    repeated = {k for k, count in counts.items() if k[1] and count >= needed}
    return [
        "\n".join(line for i, line in enumerate(lines) if keys.get(i) not in repeated)
        for lines, keys in zip(page_lines, page_keys)
    ]


_BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "h1", "h2", "h3", "h4", "h5",
    "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "blockquote", "pre", "br", "hr", "form",
    "fieldset", "figure", "figcaption", "caption", "thead", "tbody", "tfoot", "address",
}


def html_to_text(html: str) -> str:
    """Text of an HTML page with its block structure kept as lines (one block, one paragraph)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head", "svg", "iframe", "nav", "footer"]):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": ["navigation", "contentinfo", "banner"]}):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.name in _BLOCK_TAGS:
            tag.insert_before("\n\n")
            tag.insert_after("\n\n")
        elif tag.name in ("td", "th"):
            tag.insert_after("\t")
    text = soup.get_text()
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


@dataclass
class Discovery:
    """What a set of input files and folders holds: files to read, files left aside (path, why), problems."""

    files: list[Found]
    skipped: list[tuple[Path, str]]
    problems: list[str]


def discover(inputs: Iterable[Path]) -> Discovery:
    """Files to process from files and folders (recursively, symlink loops ignored), and problems found."""
    found = Discovery([], [], [])
    seen_dirs: set[str] = set()
    for entry in inputs:
        entry = Path(entry)
        if entry.is_file():
            found.files.append(Found(entry, entry.name))
        elif entry.is_dir():
            for root, dirs, names in os.walk(entry, followlinks=True,
                                             onerror=lambda e: found.problems.append(f"{e.filename}: {e.strerror}")):
                real = os.path.realpath(root)
                if real in seen_dirs:
                    found.problems.append(f"{root}: symlink loop, skipped")
                    dirs[:] = []
                    continue
                seen_dirs.add(real)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    path = Path(root) / name
                    if name.startswith("."):
                        found.skipped.append((path, "hidden file"))
                    elif path.suffix.lower() in CONVERTIBLE:
                        found.skipped.append((path, CONVERTIBLE[path.suffix.lower()]))
                    elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
                        found.skipped.append((path, f"not a minutes format ({path.suffix or 'no suffix'})"))
                    else:
                        found.files.append(Found(path, path.relative_to(entry).as_posix()))
        else:
            found.problems.append(f"{entry}: no such file or folder")
    return found
