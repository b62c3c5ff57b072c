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
