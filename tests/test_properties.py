"""Property: any text in, valid items (spans inside the text, matching their fields) or a clean error out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.stages.pipeline import DocumentError
from pipeline.records import squash

FRAGMENTS = [
    "Punkt 1: Beslutning: Godkendelse af dagsorden", "Punkt 2: Orientering - Status", "3. Meddelelser",
    "Sagsnr.: 23/1234", "21/33982", "Indstilling", "Direktøren indstiller,", "at sagen godkendes.",
    "1. at drøfte planen.", "Beslutning", "Beslutning i Udvalget den 05-09-2022", "Godkendt.", "Fraværende:",
    "Afbud Maria Hansen", "Indholdsfortegnelse", "Status.....\t3", "Bilagsliste", "Åben sag", "Sagsfremstilling",
    "Beslutningssag: Noget Åben sag Sagsnr.: Bilag: 16/1", "", "\n", "Ø", "æøå", "....", "(A)", "Side 4",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=40))
def test_segmenter_never_raises_anything_but_a_clean_error(pipeline, tmp_path, parts):
    path = tmp_path / "random.txt"
    path.write_text("\n".join(parts), encoding="utf-8", errors="replace")
    try:
        document = pipeline.process(path)
    except DocumentError as err:
        assert "random.txt" in str(err)
        return
    text = document.source.text
    for item in document.items:
        for field in ("title", "recommendation", "decision", "case_number"):
            value = getattr(item, field)
            if value is not None and field in item.spans:
                s, e = item.spans[field]
                assert 0 <= s <= e <= len(text) and squash(text[s:e]) == value


DISSENT_FRAGMENTS = [
    "Et flertal,", "Anna Holm (A)", "og", "Bo Lind (C)", "godkendte indstillingen.", "stemte imod", "(Ø)",
    "med bemærkning om, at", "For:", "Imod:", "Gruppe F", "og gruppe Ø.", "Forslaget faldt.", "stillede forslag om",
    "undlod at stemme.", "tager forbehold", "A.", "Ø", ",", ".", "For forslaget stemte", "(løsgænger)",
    "Bortfaldet pga. stemmelighed.", "med 25 stemmer mod 4", "C med undtagelse af ét medlem", "Enhedslisten",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(DISSENT_FRAGMENTS), st.text(max_size=15)), max_size=30))
def test_dissent_extractor_takes_any_text(pipeline, parts):
    text = " ".join(parts)
    roster = pipeline.dissent.roster(text)
    votes, positions, _ = pipeline.dissent.extract(text, (0, len(text)), roster, "approved")
    for position in positions:
        assert position.stance in {"against", "abstain", "minority_proposal", "reservation"}
        if position.rationale_span:
            s, e = position.rationale_span
            assert squash(text[s:e]) == position.rationale
    for vote in votes:
        assert vote.result in {"adopted", "rejected", "fell", "unknown"}
