from __future__ import annotations

import pytest

from pipeline.stages.classify import RuleClassifier
from pipeline.records import Item


@pytest.fixture(scope="module")
def rules(config):
    return RuleClassifier(config.classify, config.segment)


@pytest.mark.parametrize(
    "recommendation, expected",
    [
        ("at orienteringen tages til efterretning.", "Orientering"),
        ("at orientering foretages.", "Orientering"),
        ("at udvalget drøfter trafiksikkerheden.", "Drøftelse"),
        ("at planen godkendes.", "Beslutning"),
        ("1. at drøfte kortet. 2. at godkende, at der ikke laves en handleplan.", "Beslutning"),
        ("at udvalget tager orienteringen til efterretning at udvalget indstiller sagen til godkendelse.", "Beslutning"),
        # an infinitive after a preposition is not a clause of its own (it would read as a decision)
        ("at orienteringen om planerne for at styrke indsatsen tages til efterretning.", "Orientering"),
        ("At orienteringen tages til efterretning.", "Orientering"),
    ],
)
def test_type_from_indstilling(rules, recommendation, expected):
    assert rules.item_type(Item(1, "Noget", recommendation=recommendation))[0] == expected


def test_content_outranks_the_printed_prefix(rules):
    item = Item(1, "Kort", title_prefix="Drøftelse", recommendation="1. at drøfte kortet. 2. at godkende planen.")
    assert rules.item_type(item)[0] == "Beslutning"
    assert rules.type_from_prefix(item) == "Drøftelse"


@pytest.mark.parametrize(
    "title, prefix, decision, expected",
    [
        ("Meddelelser/Eventuelt", None, "Intet.", "Meddelelser"),
        ("Eventuelt", None, None, "Meddelelser"),
        ("Godkendelse af dagsorden", None, "Godkendt.", "Beslutning"),
        ("Kommende sager", "Orienteringssag", "Orientering foretaget.", "Orientering"),
        ("Status", None, "Taget til efterretning.", "Orientering"),
    ],
)
def test_type_without_indstilling(rules, title, prefix, decision, expected):
    assert rules.item_type(Item(1, title, title_prefix=prefix, decision=decision))[0] == expected


@pytest.mark.parametrize(
    "decision, outcome",
    [
        ("Godkendt.", "approved"),
        ("Indstillingen blev tiltrådt.", "approved"),
        ("Taget til efterretning.", "noted"),
        ("Ad 1 Indstillingen godkendt. Ad 2 og 3 Indstillingerne blev ikke godkendt.", "rejected"),
        ("Et flertal godkendte indstillingen. O stillede forslag om X. Forslaget blev ikke godkendt.", "approved"),
        ("Ad 2. For: Gruppe A og C. Imod: Gruppe F og gruppe Ø. Bortfaldet pga. stemmelighed.", "fell"),
        ("Udsat.", "postponed"),
        ("Drøftet.", "discussed"),
        ("Intet at meddele.", "none"),
        (None, "none"),
    ],
)
def test_outcome(rules, decision, outcome):
    assert rules.outcome(decision) == outcome
