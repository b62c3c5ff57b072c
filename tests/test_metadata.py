from __future__ import annotations

import pytest

from pipeline.config import load_municipalities
from pipeline.stages.metadata import MetadataExtractor


@pytest.fixture(scope="module")
def extractor(config):
    return MetadataExtractor(config.metadata, load_municipalities())


@pytest.mark.parametrize(
    "text, iso",
    [
        ("Mødedato Onsdag d. 05. februar 2020 kl. 16:30", "2020-02-05"),
        ("Mødedato: 27. januar 2021", "2021-01-27"),
        ("d. 05-09-2022", "2022-09-05"),
        ("den 3.10.2023", "2023-10-03"),
        ("2019-11-30", "2019-11-30"),
        ("Tirsdag 4. okt. 2022", "2022-10-04"),
        ("Mødedato: 12.03.23", "2023-03-12"),
    ],
)
def test_danish_dates(extractor, text, iso):
    assert extractor.parse_date(text)[0] == iso


def test_impossible_date_is_not_a_date(extractor):
    assert extractor.parse_date("d. 31-02-2022") is None


def test_attendees_with_absence_markers_and_party_letters(extractor):
    header = (
        "REFERAT Børne- og Skoleudvalget d. 01-03-2021\n\nMødedato Mandag d. 01. marts 2021\n\n"
        "Mødedeltagere Pia Lund (A), Ole B. Nielsen (Afbud), Marie-Louise Krag (V), Søren Due\n\n"
        "Fraværende: Tina Vang\n"
    )
    meta = extractor.extract(header + "\nAarhus Kommune\n", len(header))
    assert meta.attendees == ["Pia Lund", "Marie-Louise Krag", "Søren Due"]
    assert meta.absent == ["Ole B. Nielsen", "Tina Vang"]
    assert meta.committee == "Børne- og Skoleudvalget"
    assert meta.meeting_date == "2021-03-01"
    assert meta.municipality == "Aarhus"


def test_flat_member_list_stops_at_next_label(extractor):
    header = (
        "Referat Socialudvalget Mødedato: Mandag den 6. februar 2023 Medlemmer: Gitte Rask (A) Hans Ulrik Berg (V) "
        "Deltagere: Fraværende: Hans Ulrik Berg Sagsoversigt Side 01."
    )
    meta = extractor.extract(header, len(header))
    assert meta.attendees == ["Gitte Rask"] and meta.absent == ["Hans Ulrik Berg"]


def test_municipality_is_the_most_mentioned_and_aliases_resolve(extractor):
    text = "Københavns Kommune " * 3 + "Herning Kommune " * 2 + "Århus Kommune"
    assert extractor.extract(text, 0).municipality == "København"
    assert extractor.extract("Ingen kommune nævnt", 0).municipality is None


@pytest.mark.parametrize(
    "text, iso",
    [
        ("Torsdag den 26. januar 2017 kl. 21:00", "2017-01-26"),
        ("01-10-2018 kl. 18:00", "2018-10-01"),
        ("Referat: 27. oktober 2025 kl. 08:00", "2025-10-27"),
        ("Mandag, 3 oktober, 2022 - 16:30", "2022-10-03"),
        ("Dato: Torsdag, September 10, 2020 - 16:30", "2020-09-10"),
        ("11. jun 2019", "2019-06-11"),
    ],
)
def test_printed_date_forms_of_web_pages(extractor, text, iso):
    assert extractor.parse_date(text)[0] == iso


def _page(address: str, body: str) -> str:
    return f"SOURCE: {address}\n\n{body}"


def test_municipality_from_the_address_host_and_its_aliases(extractor):
    text = _page("https://www.hillerod.dk/politik/dagsordener/?agendaId=1", "Referat\n\n1. Godkendelse af dagsorden\n")
    meta = extractor.extract(text, len(text))
    assert meta.municipality == "Hillerød" and meta.sources["municipality"] == "address"
    text = _page("https://dagsorden-og-referater.brk.dk/Sites/x.html", "Referat\n")
    assert extractor.extract(text, len(text)).municipality == "Bornholm"
    text = _page("https://edagsorden.regionh.dk/cms/x.html", "Regionsrådets beslutning den 11. marts 2025:\n")
    assert extractor.extract(text, len(text)).municipality == "Region Hovedstaden"
    # an address that names no municipality: the text decides
    text = _page("http://docplayer.dk/123-referat.html", "Mødelokale 122, Hjørring Rådhus\n")
    assert extractor.extract(text, len(text)).municipality == "Hjørring"


def test_committee_from_header_forms(extractor):
    cases = [
        ("Økonomiudvalgets møde den 28. september 2022\n", "Økonomiudvalget"),
        ("Referat Aarhus Byråd 11-09-2019\n", "Aarhus Byråd"),
        ("Udvalg Ældre- og Aktivitetsudvalget (2018-2021)\n", "Ældre- og Aktivitetsudvalget"),
        ("UDVALG\n14-17 Byrådet\nMØDE\n", "Byrådet"),
        ("Udvalg: |\nArbejdsmarkedsudvalget |\n", "Arbejdsmarkedsudvalget"),
        ("Udvalg Dato Type Hent\nByrådet 20-06-2018 16:00 Referat\n", "Byrådet"),
        ("Referat byrådet 31. oktober 2018\n", "Byrådet"),
    ]
    for header, committee in cases:
        assert extractor.extract(header + "\nBeslutning\n\nGodkendt.\n", len(header)).committee == committee, header


def test_committee_and_date_from_decision_headings_and_the_address(extractor):
    body = "Nr.178 - Godkendelse af dagsordenen\n\nBeslutning i Byrådet den 19-12-2016\n\nGodkendt.\n"
    meta = extractor.extract(body, 0)
    assert (meta.committee, meta.meeting_date) == ("Byrådet", "2016-12-19")
    assert meta.sources["committee"] == "decision headings"
    # another committee's earlier recommendation quoted in the item does not beat the address
    text = _page("https://stevns.dk/dagsorden/kommunalbestyrelsen-22-01-2020",
                 "Referat\n\n301. Planstrategi\n\nSocial og Sundhed, 6. januar 2020, pkt. 123:\n\nAnbefales.\n")
    meta = extractor.extract(text, 0)
    assert (meta.committee, meta.meeting_date) == ("Kommunalbestyrelsen", "2020-01-22")
