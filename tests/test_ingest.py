from __future__ import annotations

import pytest

from pipeline.ingest import IngestError, read_source
from tests.pdf_factory import write_image_only_pdf, write_pdf

DANISH = "Referat\n\nUdvalget for Æbler og Øl mødtes på Åbo Skole.\n"


def test_utf8_text(tmp_path, config):
    path = tmp_path / "a.txt"
    path.write_text(DANISH, encoding="utf-8")
    source = read_source(path, config.ingest)
    assert source.text == DANISH and source.encoding == "utf_8" and source.format == "txt"


def test_windows_1252_is_detected_not_guessed(tmp_path, config):
    path = tmp_path / "b.txt"
    path.write_bytes((DANISH * 5).encode("cp1252"))
    source = read_source(path, config.ingest)
    assert "Æbler og Øl mødtes på Åbo" in source.text
    assert source.encoding in {"cp1252", "latin_1", "iso8859_15"}


def test_mojibake_is_repaired(tmp_path, config):
    path = tmp_path / "c.txt"
    path.write_text(DANISH.encode("utf-8").decode("cp1252"), encoding="utf-8")  # "Ã˜l", "pÃ¥"
    assert "Øl mødtes på Åbo" in read_source(path, config.ingest).text


def test_unicode_is_normalised(tmp_path, config):
    path = tmp_path / "d.txt"
    path.write_text("A\u030angstrøm\u00a0og\u00adsaa \ufb01nal\r\n", encoding="utf-8")
    assert read_source(path, config.ingest).text == "Ångstrøm ogsaa final\n"


@pytest.mark.parametrize(
    "content, reason",
    [(b"", "empty file"), (b"  \n\n ", "empty file"), (b"\x00\x01\x02binary\x00" * 50, "binary file")],
)
def test_bad_text_input_names_file_and_reason(tmp_path, config, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        read_source(path, config.ingest)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_html_keeps_block_structure_and_drops_navigation(tmp_path, config):
    path = tmp_path / "e.html"
    path.write_text(
        "<html><head><title>x</title><script>var a=1;</script></head><body><nav>Menu</nav>"
        "<h3>Indstilling</h3><p>Direktøren indstiller</p><p>at sagen <b>godkendes</b>.</p>"
        "<footer>Kontakt os</footer></body></html>",
        encoding="utf-8",
    )
    text = read_source(path, config.ingest).text
    assert text.split("\n\n") == ["Indstilling", "Direktøren indstiller", "at sagen godkendes.\n"]


def test_pdf_running_header_and_footer_removed(tmp_path, config):
    pages = [f"Punkt {i + 4}: Emne nummer {i + 4}\nSagsnr.: 23/{1000 + i}\nBeslutning\nGodkendt." for i in range(1, 5)]
    path = write_pdf(tmp_path / "f.pdf", pages, header="Vejle Kommune - Byrådet", footer="Side {page} af 4")
    source = read_source(path, config.ingest)
    assert source.format == "pdf" and source.pages == 4
    assert "Vejle Kommune - Byrådet" not in source.text and "Side 2 af 4" not in source.text
    assert source.text.count("Sagsnr.: 23/100") == 4  # repeated shape, different position: kept
    assert "Punkt 7: Emne nummer 7" in source.text


def test_pdf_without_text_layer_is_reported(tmp_path, config):
    path = write_image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(IngestError, match="no text layer"):
        read_source(path, config.ingest)


def test_corrupt_pdf_is_reported(tmp_path, config):
    good = write_pdf(tmp_path / "g.pdf", ["Punkt 1: Noget\nBeslutning\nGodkendt."])
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(good.read_bytes()[:200])
    with pytest.raises(IngestError) as err:
        read_source(broken, config.ingest)
    assert "broken.pdf" in str(err.value)


def test_pdf_detected_from_bytes_not_extension(tmp_path, config):
    pdf = write_pdf(tmp_path / "h.pdf", ["Punkt 1: Noget\nBeslutning\nGodkendt."])
    disguised = tmp_path / "h.txt"
    disguised.write_bytes(pdf.read_bytes())
    assert read_source(disguised, config.ingest).format == "pdf"


def test_transcript_pages_lose_numbers_and_running_header(config):
    from tests.conftest import SAMPLE

    source = read_source(SAMPLE / "transcript.txt", config.ingest)
    assert source.transcript and source.pages == 9
    assert "Socialudvalget Mødedato Side" not in source.text
    assert "\nBeslutningssag: Godkendelse af dagsorden Åben sag" in source.text
    # the related-document listing after the last page is outside the meeting's body
    assert source.text.index("Læs mere") > source.body_end


@pytest.mark.skipif(not (__import__("shutil").which("tesseract") and __import__("shutil").which("pdftoppm")),
                    reason="OCR needs Debian's tesseract-ocr-dan and poppler-utils")
def test_scanned_pdf_is_read_by_ocr_when_asked(tmp_path, config):
    from tests.pdf_factory import write_scanned_pdf

    path = write_scanned_pdf(tmp_path / "scan.pdf", [
        "Referat Teknik- og Miljøudvalget", "Punkt 1: Godkendelse af dagsorden", "Beslutning", "Godkendt.",
        "Punkt 2: Ny busrute til Skovbakken", "Indstilling", "at ruten etableres.", "Beslutning", "Godkendt.",
    ])
    with pytest.raises(IngestError, match="no text layer"):
        read_source(path, config.ingest)
    source = read_source(path, config.ingest.model_copy(update={"ocr": True}))
    assert "Godkendelse af dagsorden" in source.text and "busrute" in source.text
    assert any("OCR" in w for w in source.warnings)
