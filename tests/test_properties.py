"""Property: any text in, valid items (spans inside the text, matching their fields) or a clean error out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.process import DocumentError
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
