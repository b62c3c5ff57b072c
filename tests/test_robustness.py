"""Batch runs lose no document and every command fails cleanly: output names unique across repeated file names
and suffixes, one `error: <path>: <reason>` line for bad input (never a traceback), encrypted PDFs, .docx."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.contract import read_document
from pipeline.ingest import IngestError, read_source
from pipeline.run.batch import load_manifest, run_batch
from tests.conftest import SAMPLE
from tests.pdf_factory import write_pdf

runner = CliRunner()
MINUTES = ["Punkt 1: Godkendelse af dagsorden", "Beslutning", "Godkendt.", "",
           "Punkt 2: Budget 2026", "Indstilling", "Direktøren indstiller, at budgettet godkendes.", "Beslutning",
           "Godkendt. Ø stemte imod."]


def _json_outputs(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))


@pytest.fixture
def repeated_tree(tmp_path):
    """A municipal archive: the same file name in per-meeting folders, and one stem in three formats."""
    root = tmp_path / "archive"
    text = (SAMPLE / "punkt_referat.txt").read_bytes()
    for meeting in ("2024-01-10", "2024-02-14", "2024-03-13"):
        (root / meeting).mkdir(parents=True)
        (root / meeting / "referat.txt").write_bytes(text)
    shutil.copy(SAMPLE / "web_export.html", root / "2024-01-10" / "referat.html")
    write_pdf(root / "2024-01-10" / "referat.pdf", ["\n".join(MINUTES)])
    (root / "2024-02-14" / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    return root


def test_repeated_names_and_suffixes_never_overwrite(repeated_tree, tmp_path):
    out = tmp_path / "out"
    summary = run_batch([repeated_tree], out, workers=2, use_models=False)
    inputs = [p for p in repeated_tree.rglob("*") if p.is_file()]
    outputs = _json_outputs(out)
    assert summary.documents == len(inputs) == 6
    assert summary.written == len(outputs) == 5 and summary.failed == 1
    assert outputs == ["2024-01-10/referat.html.json", "2024-01-10/referat.pdf.json", "2024-01-10/referat.txt.json",
                       "2024-02-14/referat.json", "2024-03-13/referat.json"]
    manifest = load_manifest(out)
    assert len(manifest) == len(inputs)
    assert sorted(r.output for r in manifest.values() if r.status == "written") == outputs
    for record in manifest.values():  # each output is the document of its own input
        if record.status == "written":
            assert read_document(out / record.output)["source"]["path"] == record.input
    # resume keeps every name; the export and the evaluation read the mirrored tree
    again = run_batch([repeated_tree], out, workers=1, resume=True, use_models=False)
    assert again.resumed == 5 and _json_outputs(out) == outputs
    result = runner.invoke(app, ["export", str(out), "--out", str(tmp_path / "export"), "--no-hf"])
    assert result.exit_code == 0 and "5 meetings" in result.output


def test_two_roots_with_the_same_relative_names(tmp_path):
    for root in ("a", "b"):
        (tmp_path / root).mkdir()
        shutil.copy(SAMPLE / "punkt_referat.txt", tmp_path / root / "referat.txt")
    summary = run_batch([tmp_path / "a", tmp_path / "b"], tmp_path / "out", workers=1, use_models=False)
    assert summary.written == 2 and _json_outputs(tmp_path / "out") == ["referat.json", "referat~2.json"]


def test_doctor_shows_the_plan(repeated_tree, tmp_path):
    (repeated_tree / "notes.md").write_text("x")
    result = runner.invoke(app, ["doctor", str(repeated_tree)])
    assert result.exit_code == 1  # the truncated PDF will fail, and doctor says so before the run
    assert "broken.pdf: corrupt or truncated PDF" in result.output
    assert "6 minutes files (1 html, 2 pdf, 3 txt)" in result.output
    assert "2024-01-10/referat.pdf → 2024-01-10/referat.pdf.json" in result.output
    assert "notes.md: not a minutes format (.md)" in result.output
    (repeated_tree / "2024-02-14" / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["doctor", str(repeated_tree)])
    assert result.exit_code == 1 and "empty.txt: empty file" in result.output


def _clean_failure(result, *needles):
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, result.output


def test_bad_input_gives_one_clean_line(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    empty = tmp_path / "empty"
    empty.mkdir()
    _clean_failure(runner.invoke(app, ["run", str(SAMPLE), "--out", str(afile), "-q"]),
                   f"error: {afile}: output path exists and is not a folder")
    _clean_failure(runner.invoke(app, ["run", str(SAMPLE), "--out", str(afile / "sub"), "-q"]),
                   f"error: {afile / 'sub'}: cannot create the output folder")
    _clean_failure(runner.invoke(app, ["run", str(empty), "-q"]), f"error: {empty}: no minutes files")
    for workers in ("0", "-1", "two"):
        _clean_failure(runner.invoke(app, ["run", str(SAMPLE), "--workers", workers]), "number of workers")
    _clean_failure(runner.invoke(app, ["export", str(empty / "nope"), "--out", str(tmp_path / "x")]), "no such folder")
    _clean_failure(runner.invoke(app, ["evaluate", "--gold", str(empty / "nope"), "--pred", str(empty)]),
                   f"error: {empty / 'nope'}: no such folder")
    _clean_failure(runner.invoke(app, ["run", str(SAMPLE), "--no-such-option"]), "No such option")
    _clean_failure(runner.invoke(app, ["train", "type", "--config", str(empty / "none.yaml")]), "none.yaml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_unwritable_output_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    _clean_failure(runner.invoke(app, ["run", str(SAMPLE), "--out", str(locked), "-q"]), "not writable")


def test_schema_invalid_json_names_the_file_and_field(tmp_path):
    pred = tmp_path / "pred"
    assert run_batch([SAMPLE / "punkt_referat.txt"], pred, workers=1, use_models=False).written == 1
    document = json.loads((pred / "punkt_referat.json").read_text(encoding="utf-8"))
    document["items"][0]["type"] = "Beslutningssag"
    (pred / "edited.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["export", str(pred), "--out", str(tmp_path / "export"), "--no-hf"])
    _clean_failure(result, f"error: {pred / 'edited.json'}: does not match the output contract: field items.0.type")
    assert "1 meetings" in result.output  # the valid document is still exported


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400), st.sampled_from(["a.txt", "a.pdf", "a.html", "a.docx"]))
def test_random_bytes_never_trace_back_in_run(tmp_path, data, name):
    folder = tmp_path / "in"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / name).write_bytes(data)
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out"), "-q", "-w", "1", "--no-models"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
    assert result.exit_code == 0 or f"error: {folder / name}:" in result.output


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(JSON_VALUES | st.fixed_dictionaries({"document": st.text(max_size=5), "items": JSON_VALUES}))
def test_random_json_never_traces_back_in_export_and_evaluate(tmp_path, value):
    pred, gold = tmp_path / "pred", tmp_path / "gold"
    for folder in (pred, gold):
        folder.mkdir(exist_ok=True)
        (folder / "a.json").write_text(json.dumps(value), encoding="utf-8")
    for args in (["export", str(pred), "--out", str(tmp_path / "export"), "--no-hf"],
                 ["evaluate", "--gold", str(gold), "--pred", str(pred), "--out", str(tmp_path / "metrics.json")]):
        result = runner.invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
        assert "Traceback" not in result.output


def _encrypted(tmp_path, user_password: str):
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf(tmp_path / "plain.pdf", ["\n".join(MINUTES)])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password="ejer-hemmelig", algorithm="AES-128")
    path = tmp_path / f"locked-{bool(user_password)}.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def test_pdf_with_only_an_owner_password_is_read(tmp_path, config):
    source = read_source(_encrypted(tmp_path, ""), config.ingest)
    assert "Budget 2026" in source.text and "Ø stemte imod" in source.text


def test_pdf_with_a_user_password_is_named_as_such(tmp_path, config):
    path = _encrypted(tmp_path, "hemmelig")
    with pytest.raises(IngestError, match="password-protected PDF") as caught:
        read_source(path, config.ingest)
    assert str(path) in str(caught.value)


def test_doctor_predicts_a_password_protected_pdf_and_an_old_word_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(_encrypted(tmp_path, "hemmelig"), folder / "locked.pdf")
    (folder / "given.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    result = runner.invoke(app, ["doctor", str(folder / "locked.pdf"), str(folder / "given.doc")])
    assert result.exit_code == 1
    assert "locked.pdf: password-protected PDF" in result.output and "given.doc: old Word format (.doc)" in result.output


def test_every_file_given_is_counted_and_an_old_word_file_says_what_to_do(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "punkt_referat.txt", folder / "referat.txt")
    (folder / "bilag.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out"), "-q", "-w", "1", "--no-models"])
    assert "2 files: 1 written (0 already complete), 0 failed, 1 left aside" in result.output
    assert "left aside: " in result.output and "convert it to .docx" in result.output
    records = load_manifest(tmp_path / "out")
    assert {r.status for r in records.values()} == {"written", "skipped"} and len(records) == 2
    # given by name, the .doc is a failed file with the same reason, not "binary file"
    result = runner.invoke(app, ["run", str(folder / "bilag.doc"), "--out", str(tmp_path / "out2"), "-q", "--no-models"])
    assert result.exit_code == 1 and "old Word format (.doc)" in result.output and "binary" not in result.output


def test_a_line_without_line_breaks_is_cut_and_an_archive_in_one_file_refused(tmp_path, config):
    long_line = " ".join(["Udvalget drøftede planen for skolerne."] * 3000)
    path = tmp_path / "one-line.txt"
    path.write_text("Punkt 1: Skoleplan\n\nBeslutning\n\n" + long_line + "\n", encoding="utf-8")
    source = read_source(path, config.ingest)
    assert max(len(line) for line in source.text.splitlines()) <= config.ingest.max_line_chars
    assert any("cut into lines" in w for w in source.warnings)
    small = config.ingest.model_copy(update={"max_words": 5000})
    with pytest.raises(IngestError, match="more than the 5,000 a document may have"):
        read_source(path, small)


def test_docx_minutes_keep_headings_paragraphs_and_tables(tmp_path, pipeline):
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_heading("Referat, Økonomiudvalget, 12. marts 2025", level=1)
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Deltagere", "Anna Holm (A), Bo Lind (V)"
    table.cell(1, 0).text, table.cell(1, 1).text = "Afbud", "Carl Berg (Ø)"
    for line in MINUTES:
        if line.startswith("Punkt"):
            word.add_heading(line, level=2)
        elif line:
            word.add_paragraph(line)
    path = tmp_path / "referat.docx"
    word.save(path)
    document = pipeline.process(path)
    assert document.source.format == "docx"
    lines = document.source.text.splitlines()
    assert "Punkt 2: Budget 2026" in lines and "Deltagere  Anna Holm (A), Bo Lind (V)" in lines
    assert [item.number for item in document.items] == [1, 2]
    assert document.items[1].decision == "Godkendt. Ø stemte imod."


def test_corrupt_docx_is_a_clean_error(tmp_path, config):
    path = tmp_path / "referat.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(IngestError, match="corrupt or unreadable .docx"):
        read_source(path, config.ingest)
