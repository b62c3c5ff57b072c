from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.stages.pipeline import DocumentError
from tests.conftest import SAMPLE
from tests.pdf_factory import NUMBERED_MINUTES, write_pdf


def titles(document):
    return [item.title for item in document.items]


def test_punkt_layout_with_type_words_and_toc(pipeline):
    doc = pipeline.process(SAMPLE / "punkt_referat.txt")
    assert titles(doc) == [
        "Godkendelse af dagsorden",
        "Status på affaldsplanen",
        "Ny busrute til Skovbakken",
        "Trafiksikkerhed ved skolerne",
        "Meddelelser",
    ]
    assert [i.title_prefix for i in doc.items] == ["Beslutning", "Orientering", "Beslutning", "Drøftelse", None]
    assert [i.case_number for i in doc.items] == ["23/10211", "23/10375", "23/11002", "23/11010", "23/10212"]
    assert doc.segmentation["toc_entries"] == 5 and doc.segmentation["toc_matched"] == 5
    busrute = doc.items[2]
    # numbered lines inside the Sagsfremstilling are not items; numbered at-clauses are the recommendation
    assert busrute.recommendation == (
        "1. at ruten etableres fra 1. august 2023. 2. at udgiften finansieres af puljen til kollektiv trafik."
    )
    # the standing absence lines are not decision text
    assert doc.items[0].decision == "Dagsordenen godkendt."
    assert busrute.decision.endswith("Dennis Ø. Lund (Ø) stemte imod.")


def test_web_export_items_introduced_by_sagsnr(pipeline):
    doc = pipeline.process(SAMPLE / "web_export.html")
    assert titles(doc) == [
        "Tilskud til foreningernes sommeraktiviteter",
        "Orientering om biblioteksbesøg",
        "Meddelelser til og fra formanden",
    ]
    assert [i.number for i in doc.items] == [1, 2, 3]
    assert doc.items[0].case_number == "00.22.04-A00-3-23"
    assert doc.items[0].recommendation == "at puljen fordeles som foreslået i bilag 1, at restbeløbet overføres til 2024."
    assert doc.items[1].title_prefix is None  # titles in this layout carry no type prefix
    assert doc.items[2].decision == "Intet at meddele."  # the page footer is not part of it


def test_transcript_pages_appendix_and_link_listing_are_not_items(pipeline):
    doc = pipeline.process(SAMPLE / "transcript.txt")
    assert titles(doc) == [
        "Godkendelse af dagsorden",
        "Status på botilbud",
        "Takster for madservice 2023",
        "Meddelelser/Eventuelt",
    ]
    assert doc.items[0].title_prefix == "Beslutningssag"
    assert doc.items[2].case_number == "23/1902"
    # the Indstilling continues over a page break; the decision loses its absence boilerplate
    assert doc.items[2].recommendation == "at taksterne for madservice 2023 godkendes."
    assert doc.items[2].decision.startswith("Et flertal i udvalget")
    assert doc.items[0].decision == "Dagsordenen godkendt."


def test_numbered_items_without_punkt_and_toc_in_pdf(pipeline):
    doc = pipeline.process(SAMPLE / "nummererede_punkter.pdf")
    assert titles(doc) == [
        "Godkendelse af dagsorden",
        "Integrationsindsats for nyankomne flygtninge",
        "Sygefravær i jobcentret",
    ]
    assert [i.number for i in doc.items] == [1, 2, 3]
    assert doc.segmentation["toc_entries"] == 3
    assert doc.items[2].decision == "Godkendt."


def test_single_item_page(pipeline):
    doc = pipeline.process(SAMPLE / "enkelt_punkt.html")
    assert len(doc.items) == 1
    item = doc.items[0]
    assert (item.number, item.title, item.case_number) == (
        7, "Ansøgning om frikommuneforsøg med fleksibel skolestart", "22/14355"
    )
    assert item.recommendation == "at ansøgningen godkendes og sendes til ministeriet."
    assert item.decision == "Godkendt."


def test_toc_recovers_an_item_whose_heading_has_no_structure(pipeline, tmp_path):
    pages = list(NUMBERED_MINUTES)
    pages[2] = pages[2] + "\n\n4. Eventuelt\nIntet."
    pages[0] = pages[0] + "\n4. Eventuelt ....... 3"
    doc = pipeline.process(write_pdf(tmp_path / "m.pdf", pages))
    assert titles(doc)[-1] == "Eventuelt" and len(doc.items) == 4


def test_two_decision_headings_keep_this_meetings(pipeline, tmp_path):
    path = tmp_path / "udsat.txt"
    path.write_text(
        "Referat Økonomiudvalget d. 05-09-2022\n\nPunkt 1: Orientering - Status\n\n22/1\n\nIndstilling\n\n"
        "1. at tage orienteringen til efterretning.\n\nBeslutning i Økonomiudvalget den 07-06-2022\n\nUdsat.\n\n"
        "Beslutning i Økonomiudvalget den 05-09-2022\n\nTaget til efterretning.\n\n"
        "Punkt 2: Eventuelt\n\n22/2\n\nBeslutning i Økonomiudvalget den 05-09-2022\n\nIntet.\n",
        encoding="utf-8",
    )
    doc = pipeline.process(path)
    assert doc.items[0].decision == "Taget til efterretning."
    assert doc.meeting_date == "2022-09-05"


def test_interleaved_text_before_the_at_clause_is_left_out(pipeline, tmp_path):
    path = tmp_path / "x.txt"
    path.write_text(
        "Punkt 1: Beslutning: Ansøgning\n\n21/5\n\nIndstilling\n\nCentret indstiller, Såfremt der kommer ønsker om "
        "at ændre planen, forventer rådet en ny høring. Rådet bemærker, at materialet er svært. at det besluttes, "
        "om planen skal fremmes.\n\nBeslutning\n\nGodkendt.\n",
        encoding="utf-8",
    )
    assert pipeline.process(path).items[0].recommendation == "at det besluttes, om planen skal fremmes."


def test_indstilling_without_heading_and_with_capital_at(pipeline, tmp_path):
    path = tmp_path / "x.txt"
    path.write_text(
        "Punkt 1: Ny cykelparkering ved stationen\n\n24/118\n\nSagsfremstilling\n\nDer mangler pladser.\n\n"
        "Teknik og Miljø indstiller, at\n\n1) der etableres 200 nye pladser.\n\nBeslutning\n\nGodkendt.\n\n"
        "Punkt 2: Orientering om vejarbejder\n\n24/119\n\nAnbefaling\n\nAt orienteringen tages til efterretning.\n\n"
        "Beslutning\n\nTaget til efterretning.\n",
        encoding="utf-8",
    )
    items = pipeline.process(path).items
    assert items[0].recommendation == "at\n\n1) der etableres 200 nye pladser.".replace("\n\n", " ")
    assert items[1].recommendation == "At orienteringen tages til efterretning."


def test_document_without_items_is_a_clear_error(pipeline, tmp_path):
    path = tmp_path / "noise.txt"
    path.write_text("Velkommen til vores hjemmeside.\nHer kan du læse nyheder om byen.\n", encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        pipeline.process(path)
    assert "noise.txt" in str(err.value) and "no agenda item found" in str(err.value)


def test_decision_heading_with_body_and_date_but_no_den(pipeline, tmp_path):
    path = tmp_path / "y.txt"
    path.write_text(
        "Punkt 1: Budget\n\n23/7\n\nIndstilling\n\nat budgettet godkendes.\n\nBeslutning Byrådet 12-03-2023\n\n"
        "Godkendt.\n\nSagsfremstilling\n\nBaggrund for sagen.\n",
        encoding="utf-8",
    )
    assert pipeline.process(path).items[0].decision == "Godkendt."


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_html_with_inline_decision_labels_and_numbered_headings(pipeline):
    doc = pipeline.process(FIXTURES / "inline_headings.html")
    assert titles(doc) == ["Godkendelse af dagsorden", "Budgetopfølgning pr. 31. maj 2023", "Eventuelt"]
    assert [i.decision for i in doc.items] == ["Godkendt.", "Godkendt.", "Intet."]
    assert doc.items[1].case_number == "2023-004512"
    assert doc.items[1].recommendation == "at udvalget godkender budgetopfølgningen."
    assert (doc.committee, doc.meeting_date, doc.absent) == ("Økonomiudvalget", "2023-06-12", ["Jens Bo"])


def test_numbered_toc_without_page_numbers_is_not_emitted(pipeline):
    doc = pipeline.process(FIXTURES / "beslutningsprotokol.txt")
    assert titles(doc) == ["Godkendelse af dagsorden", "Lokalplan 512 for Østervang", "Meddelelser"]
    assert doc.segmentation["toc_matched"] == 3
    lokalplan = doc.items[1]
    assert lokalplan.case_number == "23/38877"
    assert lokalplan.decision == "Vedtaget."  # "X deltog ikke i behandlingen" is absence boilerplate
    assert [i.type for i in doc.items] == ["Beslutning", "Beslutning", "Meddelelser"]
    assert (doc.municipality, doc.committee, doc.meeting_date) == ("Roskilde", "Plan- og Boligudvalget", "2023-11-07")


def test_wrapped_titles_and_case_numbers_in_titles(pipeline, tmp_path):
    path = tmp_path / "wrapped.txt"
    path.write_text(
        "Referat Økonomiudvalget\n\n1. Ansøgning om tilskud til etablering af nye\nbofællesskaber for ældre\n\n"
        "Sagsnr.: 23/4411\n\nIndstilling\n\nat tilskuddet bevilges.\n\nBeslutning\n\nGodkendt.\n\n"
        "2. Valg af medlem til ældrerådet (2023-0012345)\n\nIndstilling\n\nat Anna Holm vælges.\n\n"
        "Beslutning\n\nGodkendt.\n",
        encoding="utf-8",
    )
    doc = pipeline.process(path)
    assert [(i.title, i.case_number) for i in doc.items] == [
        ("Ansøgning om tilskud til etablering af nye bofællesskaber for ældre", "23/4411"),
        ("Valg af medlem til ældrerådet", "2023-0012345"),
    ]
