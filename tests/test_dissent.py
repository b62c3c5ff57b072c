"""Dissent wordings seen across Danish municipalities, each as a synthetic decision text."""

from __future__ import annotations

import pytest

from pipeline.config import load_dissent_config
from pipeline.stages.dissent import DissentExtractor


@pytest.fixture(scope="module")
def extractor() -> DissentExtractor:
    return DissentExtractor(load_dissent_config())


def extract(extractor, decision: str, context: str = "", outcome: str | None = "approved"):
    """Votes and positions of `decision`; `context` is other text of the same document (member lists)."""
    text = context + "\n\n" + decision
    start = len(context) + 2
    votes, positions, warnings = extractor.extract(text, (start, len(text)), extractor.roster(text), outcome)
    return (
        [(v.motion, v.for_, v.against, v.abstain, v.result) for v in votes],
        [(p.party, p.members, p.stance, p.rationale) for p in positions],
        warnings,
        positions,
        text,
    )


def test_against_with_rationale_and_member_lists(extractor):
    votes, positions, *_ = extract(
        extractor,
        "Et flertal, Anna Holm (A), Bo Lind, Carl Berg og Dorte Krag (C) samt Eva Sand (V) godkendte indstillingen. "
        "Finn Ravn (Ø) stemte imod med bemærkning om, at planen skærer i botilbuddene. Enhedslisten ønsker "
        "derfor en ny plan.",
    )
    assert votes == [("indstillingen", ["A", "C", "V"], ["Ø"], [], "adopted")]
    assert positions == [
        ("Ø", ["Finn Ravn"], "against", "planen skærer i botilbuddene. Enhedslisten ønsker derfor en ny plan.")
    ]


def test_rationale_span_points_at_its_text(extractor):
    *_, found, text = extract(extractor, "Gitte Bo (F) stemte imod, idet udgiften er for høj.")
    s, e = found[0].rationale_span
    assert text[s:e] == "udgiften er for høj."


def test_majority_and_minority_in_parentheses(extractor):
    votes, positions, *_ = extract(
        extractor, "Et flertal (A, C og V) godkendte indstillingen. Et mindretal (F og Ø) stemte imod."
    )
    assert votes == [("indstillingen", ["A", "C", "V"], ["F", "Ø"], [], "adopted")]
    assert [(p[0], p[2]) for p in positions] == [("F", "against"), ("Ø", "against")]


def test_group_labels_tie_and_group_rationale(extractor):
    votes, positions, *_ = extract(
        extractor,
        "Ad 2.\nFor: Gruppe A og C.\nImod: Gruppe F og gruppe Ø. Gruppe F med henvisning til, at der mangler en "
        "handleplan.\nBortfaldet pga. stemmelighed.",
        outcome="fell",
    )
    assert votes == [("indstillingen", ["A", "C"], ["F", "Ø"], [], "fell")]
    assert positions == [("F", [], "against", "der mangler en handleplan."), ("Ø", [], "against", None)]


def test_bare_letters_after_for_stemte_and_imod_stemte(extractor):
    votes, positions, *_ = extract(extractor, "For stemte: A, B, C og V.\nImod stemte: O.\nIndstillingen blev godkendt.")
    assert votes == [("indstillingen", ["A", "B", "C", "V"], ["O"], [], "adopted")]
    assert positions == [("O", [], "against", None)]


def test_abstentions(extractor):
    _, positions, *_ = extract(
        extractor,
        "Et flertal, Anna Holm (A) og Bo Lind (C), anbefaler indstillingen. Carl Berg (C) undlod at stemme. "
        "Dansk Folkeparti stemte hverken for eller imod.",
    )
    assert [(p[0], p[1], p[2]) for p in positions] == [("C", ["Carl Berg"], "abstain"), ("O", [], "abstain")]


def test_counter_proposal_rejected(extractor):
    votes, positions, *_ = extract(
        extractor,
        "Et flertal, Anna Holm (A) og Bo Lind (C), godkendte indstillingen. Hans Mols (O) stemte imod. "
        "Hans Mols (O) stillede forslag om, at kommunen ikke opretter flere pladser. For forslaget stemte Hans "
        "Mols (O) og Ib Lund (Ø). Imod forslaget stemte Anna Holm (A) og Bo Lind (C). Forslaget faldt.",
    )
    assert votes[0] == ("indstillingen", ["A", "C"], ["O"], [], "adopted")
    assert votes[1][1:] == (["O", "Ø"], ["A", "C"], [], "rejected")
    assert votes[1][0].startswith("O: kommunen ikke opretter flere pladser")
    assert [(p[0], p[2]) for p in positions] == [("O", "against"), ("O", "minority_proposal"), ("Ø", "minority_proposal")]


def test_tally_is_recorded(extractor):
    votes, positions, *_ = extract(
        extractor, "Indstillingen blev godkendt med 25 stemmer mod 4. Imod stemte Dansk Folkeparti."
    )
    assert votes == [("indstillingen", [], ["O"], [], "adopted")]
    assert positions == [("O", [], "against", None)]


def test_protocol_notes_and_reservations(extractor):
    _, positions, *_ = extract(
        extractor,
        "Godkendt. Ø ønsker ført til protokol, at Enhedslisten ikke kan støtte salget af grunden. "
        "Lene Bak (V) tager forbehold for finansieringen.",
    )
    assert positions[0] == ("Ø", [], "reservation", "Enhedslisten ikke kan støtte salget af grunden.")
    assert positions[1][:3] == ("V", ["Lene Bak"], "reservation")


def test_recommendation_voted_down_makes_its_backers_the_dissent(extractor):
    votes, positions, *_ = extract(
        extractor, "Indstillingen blev nedstemt. For stemte A og F. Imod stemte V, O og C.", outcome="rejected"
    )
    assert votes == [("indstillingen", ["A", "F"], ["V", "O", "C"], [], "rejected")]
    assert [(p[0], p[2]) for p in positions] == [("A", "against"), ("F", "against")]


def test_radikale_venstre_is_b_not_v(extractor):
    votes, *_ = extract(extractor, "Radikale Venstre stemte imod. Venstre stemte for.")
    assert votes == [("indstillingen", ["V"], ["B"], [], "adopted")]


def test_initials_are_people_not_parties(extractor):
    _, positions, *_ = extract(extractor, "A. Hansen (V) og Duygu A. Ngotho (A) stemte imod.")
    assert [(p[0], p[1]) for p in positions] == [("V", ["A. Hansen"]), ("A", ["Duygu A. Ngotho"])]


def test_member_party_from_elsewhere_in_the_document_and_conflicts_reported(extractor):
    context = "Medlemmer: Marie Holt (O), Jonas Vig (Ø)\n\nPunkt 1\n\nMarie Holt (O) stemte for. Marie Holt (O) deltog."
    _, positions, warnings, *_ = extract(extractor, "Jonas Vig stemte imod. Marie Holt (Ø) stemte imod.", context)
    assert [(p[0], p[1]) for p in positions] == [("Ø", ["Jonas Vig"]), ("O", ["Marie Holt"])]
    assert any("Marie Holt" in w and "O" in w for w in warnings)


def test_independent_member_has_no_party(extractor):
    _, positions, *_ = extract(extractor, "Kurt Lund (løsgænger) stemte imod.")
    assert positions == [(None, ["Kurt Lund"], "against", None)]


@pytest.mark.parametrize(
    "decision",
    [
        "Godkendt.",
        "Indstillingen blev tiltrådt.",
        "Udvalget godkendte enstemmigt indstillingen.",
        "Taget til efterretning.",
        "Idris Yorulmaz (A) spurgte til en oversigt. Administrationen udarbejder et notat.",
        "Ad 1. Anbefales godkendt. Ad 2. Anbefales drøftet.",
        "Der var afbud fra Lene Lind (A). Dagsordenen godkendt.",
    ],
)
def test_no_dissent_is_invented(extractor, decision):
    votes, positions, *_ = extract(extractor, decision)
    assert votes == [] and positions == []


def test_party_split(extractor):
    votes, positions, *_ = extract(
        extractor, "For stemte: A, V og C med undtagelse af ét medlem, der stemte imod.\nIndstillingen blev godkendt."
    )
    assert votes == [("indstillingen", ["A", "V", "C"], ["C"], [], "adopted")]
    assert [(p[0], p[2]) for p in positions] == [("C", "against")]


def test_two_sides_in_one_sentence(extractor):
    votes, positions, *_ = extract(extractor, "Socialdemokratiet og SF stemte for, mens Venstre stemte imod.")
    assert votes == [("indstillingen", ["A", "F"], ["V"], [], "adopted")]
    assert [(p[0], p[2]) for p in positions] == [("V", "against")]


def test_bare_letters_opening_a_sentence(extractor):
    votes, *_ = extract(extractor, "V og K stemte imod. Godkendt.")
    assert votes == [("indstillingen", [], ["V", "K"], [], "adopted")]


def test_several_labels_in_one_sentence_with_counts(extractor):
    votes, *_ = extract(extractor, "Afstemning: For: 7 (A, F og Ø) Imod: 2 (V) Undlod: 1 (C) Indstillingen blev godkendt.")
    assert votes == [("indstillingen", ["A", "F", "Ø"], ["V"], ["C"], "adopted")]


def test_counts_with_parenthesised_parties(extractor):
    votes, *_ = extract(extractor, "Indstillingen blev godkendt med 9 stemmer for (A, B, F, Ø) og 2 imod (O, V).")
    assert votes[0][1:3] == (["A", "B", "F", "Ø"], ["O", "V"])


def test_minority_consisting_of_letters(extractor):
    _, positions, *_ = extract(
        extractor, "Et flertal godkendte indstillingen. Et mindretal bestående af Ø og F kunne ikke godkende indstillingen."
    )
    assert [(p[0], p[2]) for p in positions] == [("Ø", "against"), ("F", "against")]


def test_request_to_bring_the_case_before_the_council_is_a_reservation(extractor):
    _, positions, *_ = extract(extractor, "Godkendt. Venstre begærede sagen indbragt for byrådet.")
    assert [(p[0], p[2]) for p in positions] == [("V", "reservation")]


def test_protocol_note_with_colon(extractor):
    _, positions, *_ = extract(extractor, "Godkendt. Dansk Folkeparti ønsker følgende tilført protokollen: Vi ønsker lavere skat.")
    assert positions == [("O", [], "reservation", "Vi ønsker lavere skat.")]


def test_pipeline_fills_votes_and_positions_and_nothing_else(pipeline):
    from tests.conftest import SAMPLE

    doc = pipeline.process(SAMPLE / "punkt_referat.txt")
    dissent = [(i.number, [v.to_json() for v in i.votes], [p.to_json() for p in i.positions]) for i in doc.items
               if i.votes or i.positions]
    assert dissent == [(
        3,
        [{"motion": "indstillingen", "for": ["A", "C"], "against": ["Ø"], "abstain": [], "result": "adopted"}],
        [{"party": "Ø", "members": ["Dennis Ø. Lund"], "stance": "against", "rationale": None}],
    )]


def test_local_list_letters_come_from_config():
    import yaml

    from pipeline.config import CONFIG_DIR, DissentConfig

    raw = yaml.safe_load((CONFIG_DIR / "dissent.yaml").read_text(encoding="utf-8"))
    raw["local_lists"] = {"L": ["Lokallisten", "Borgerlisten"]}
    local = DissentExtractor(DissentConfig.model_validate(raw))
    votes, positions, *_ = extract(local, "Et flertal godkendte indstillingen. Lokallisten og Kim Dahl (L) stemte imod.")
    assert votes[0][2] == ["L"]
    assert positions == [("L", ["Kim Dahl"], "against", None)]


def test_bare_letters_before_a_stance_verb(extractor):
    votes, positions, *_ = extract(extractor, "Godkendt, idet V tager forbehold for finansieringen. A og F stemte imod.")
    assert [(p[0], p[2]) for p in positions] == [("A", "against"), ("F", "against"), ("V", "reservation")]
    assert votes == [("indstillingen", [], ["A", "F"], [], "adopted")]


def test_a_reason_in_the_sentence_belongs_to_all_its_subjects(extractor):
    _, positions, *_ = extract(extractor, "Anbefales godkendt. Enhedslisten og SF stemte imod, da planen er underfinansieret.")
    assert positions == [("Ø", [], "against", "planen er underfinansieret."), ("F", [], "against", "planen er underfinansieret.")]


def test_what_a_reservation_is_for_is_its_reason(extractor):
    _, positions, *_ = extract(extractor, "Godkendt. Dorthe Jensen (Ø) tager forbehold for de økonomiske konsekvenser.")
    assert positions == [("Ø", ["Dorthe Jensen"], "reservation", "de økonomiske konsekvenser.")]


# ---- wordings of real minutes from many municipalities (each in our own words)


def test_counts_with_lettered_lists_in_one_line_and_a_fallen_counter_proposal(extractor):
    votes, positions, *_ = extract(
        extractor,
        "Ændringsforslag fra B-gruppen: Biblioteket holder åbent om søndagen. For stemte 3 (B) Imod stemte 9 "
        "(A, F, V) Undlod at stemme 2 (T) Faldet. Borgmesterens forslag blev godkendt.",
    )
    assert votes[-1][1:] == (["B"], ["A", "F", "V"], ["T"], "rejected")  # T: a local list's own letter
    assert sorted((p[0], p[2]) for p in positions) == [("B", "minority_proposal"), ("T", "abstain")]


def test_plus_separated_letters(extractor):
    votes, positions, *_ = extract(extractor, "For stemte: 10 (A+C+V)\nImod stemte: 4 (T)\nGodkendt.")
    assert votes == [("indstillingen", ["A", "C", "V"], ["T"], [], "adopted")]
    assert [(p[0], p[2]) for p in positions] == [("T", "against")]


def test_result_before_the_listing_of_a_counter_proposal(extractor):
    votes, positions, *_ = extract(
        extractor,
        "Godkendt. Ø stillede forslag om, at Jens Hald erklæres inhabil. Forslaget ikke godkendt. For stemte 2 (Ø). "
        "Imod stemte 20 (A, C og V). 3 (B) undlod at stemme.",
    )
    assert votes == [("Ø: Jens Hald erklæres inhabil", ["Ø"], ["A", "C", "V"], ["B"], "rejected")]
    assert sorted((p[0], p[2]) for p in positions) == [("B", "abstain"), ("Ø", "minority_proposal")]


def test_a_request_for_a_vote_is_a_motion(extractor):
    _, positions, *_ = extract(
        extractor, "Venstre anmodede om afstemning om at åbne sagen. For stemte: V og I. Imod stemte: A, C og Ø. "
                   "Forslaget faldt dermed.")
    assert sorted((p[0], p[2]) for p in positions) == [("I", "minority_proposal"), ("V", "minority_proposal")]


def test_counter_proposal_without_printed_result_is_decided_by_the_named_votes(extractor):
    votes, positions, *_ = extract(
        extractor, "Pia Lund (A) stillede forslag om at skolen prioriteres. For forslaget stemte: Pia Lund (A), "
                   "Bo Sand (A) og Ib Ravn (I). Imod forslaget stemte: Ole Krog (O) og Eva Dal (V).")
    assert votes[-1][-1] == "adopted"
    assert sorted((p[0], p[2]) for p in positions) == [("O", "against"), ("V", "against")]


def test_members_named_without_letters_backing_a_rejected_recommendation(extractor):
    votes, positions, *_ = extract(
        extractor, "Karen Bech og Ole Dahl følger indstillingen. Pia Holm og Ulla Skov stemmer imod, indstillingen "
                   "nedstemt.", outcome="rejected")
    assert [(p[0], sorted(p[1]), p[2]) for p in positions] == [(None, ["Karen Bech", "Ole Dahl"], "against")]


def test_no_vote_in_an_approval_of_a_person(extractor):
    votes, positions, *_ = extract(extractor, "Byrådet godkendte Ebbe Holm (B) som stedfortræder.")
    assert votes == [] and positions == []


def test_rejected_amendments_counted_against_first(extractor):
    votes, positions, *_ = extract(
        extractor, "Vedtaget. Enhedslisten kunne ikke tiltræde erklæringen. 2 ændringsforslag fra Enhedslisten blev "
                   "forkastet med 29 stemmer imod og 1 for.")
    assert sorted((p[0], p[2]) for p in positions) == [("Ø", "minority_proposal"), ("Ø", "reservation")]
    assert votes[-1][-1] == "rejected"


def test_rationale_that_opens_with_its_reason_phrase(extractor):
    _, positions, *_ = extract(extractor, "Liste F og Ø stemte imod af hensyn til naboerne og miljøet.")
    assert [(p[0], p[3]) for p in positions] == [("F", "af hensyn til naboerne og miljøet."),
                                                 ("Ø", "af hensyn til naboerne og miljøet.")]


def test_reservations_in_an_earlier_treatment_the_item_quotes(extractor):
    text = ("Sagens forløb\n\n19-08-2019 Magistraten\n\nFremsendes til byrådet. Keld Holm tog forbehold.\n\n"
            "Social og Sundhed: 2 medlemmer (N+Ø) tager forbehold frem til behandlingen.\n\nBeslutning\n\nGodkendt.\n")
    decision = (text.index("Godkendt."), len(text) - 1)
    found = extractor.reservations(text, (0, len(text)), decision, extractor.roster(text))
    assert sorted((p.party or "", p.members, p.stance) for p in found) == [
        ("", ["Keld Holm"], "reservation"), ("N", [], "reservation"), ("Ø", [], "reservation")]


def test_party_abbreviations_and_genitive_names_give_their_letters(extractor):
    votes, positions, *_ = extract(
        extractor, "Indstillingen blev godkendt. For stemte RV og SF. Imod stemte KF, V og S.")
    assert votes == [("indstillingen", ["B", "F"], ["C", "V", "A"], [], "adopted")]
    _, positions, *_ = extract(
        extractor, "Vedtaget. Radikale Venstres og Alternativets byrådsgrupper kunne ikke tiltræde punkt 3. "
                   "Socialdemokratiets byrådsgruppe tog forbehold.")
    assert sorted((p[0], p[2]) for p in positions) == [("A", "reservation"), ("B", "reservation"), ("Å", "reservation")]


def test_a_member_outside_any_party_has_no_letter(extractor):
    _, positions, *_ = extract(
        extractor, "Vedtaget. Enhedslistens byrådsgruppe og Karen Vestergaard (UFP) kunne ikke tiltræde indstillingen.")
    assert sorted((p[0] or "", p[1], p[2]) for p in positions) == [("", ["Karen Vestergaard"], "reservation"),
                                                                    ("Ø", [], "reservation")]


def test_earlier_reservations_count_only_where_the_meeting_did_not_decide():
    from pathlib import Path

    from pipeline.ingest import text_source
    from pipeline.stages.pipeline import Pipeline

    pipeline = Pipeline(use_models=False)
    history = ("Sagsforløb\n\nMagistraten den 3. juni 2025: Venstre tog forbehold.\n\n")

    def positions_of(decision: str) -> list:
        text = ("Referat\n\nPunkt 1: Lokalplan for havnen\n\nIndstilling\n\nat lokalplanen vedtages.\n\n" + history
                + f"Beslutning\n\n{decision}\n")
        document = pipeline.label(pipeline.structure(text_source(Path("x.txt"), text, pipeline.config.ingest)))
        return [(p.party, p.stance) for p in document.items[0].positions]

    assert positions_of("Godkendt.") == []
    assert positions_of("Fremsendes til Teknisk Udvalg til behandling.") == [("V", "reservation")]


def test_a_proposal_put_forward_is_not_a_vote(extractor):
    votes, positions, *_ = extract(
        extractor, "Det Konservative Folkeparti foreslår:\n\nat der etableres en ny p-plads.\n\nBorgmesteren satte "
                   "indstillingen til afstemning.\n\nFor stemte: A, B og V.\n\nImod stemte: C.\n\nIndstillingen blev godkendt.")
    assert votes == [("indstillingen", ["A", "B", "V"], ["C"], [], "adopted")]
    assert [(p[0], p[2]) for p in positions] == [("C", "against")]


def test_two_votes_of_one_item_keep_their_own_sides(extractor):
    votes, positions, *_ = extract(
        extractor, "Formanden satte først ændringsforslaget fra SF til afstemning.\n\nFor stemte: F og Ø.\n\nImod stemte: "
                   "A, C og V.\n\nÆndringsforslaget blev forkastet.\n\nHerefter blev indstillingen sat til afstemning.\n\n"
                   "For stemte: A, C og V.\n\nImod stemte: Ø.\n\nUndlod at stemme: F.\n\nIndstillingen blev godkendt.")
    assert sorted(votes) == [("F: SF", ["F", "Ø"], ["A", "C", "V"], [], "rejected"),
                             ("indstillingen", ["A", "C", "V"], ["Ø"], ["F"], "adopted")]
    assert sorted((p[0], p[2]) for p in positions) == [("F", "abstain"), ("F", "minority_proposal"),
                                                       ("Ø", "against"), ("Ø", "minority_proposal")]


@pytest.mark.parametrize("decision", [
    "For stemte:\nSocialdemokratiet\nRadikale Venstre\nImod stemte:\nVenstre\nDansk Folkeparti\nIndstillingen blev godkendt.",
    "For (20): A og B. Imod (5): V og O. Indstillingen blev godkendt.",
    "For stemte 20: A og B. Imod stemte 5: V og O. Indstillingen blev godkendt.",
])
def test_side_labels_alone_on_a_line_or_with_a_count_before_the_colon(extractor, decision):
    votes, positions, *_ = extract(extractor, decision)
    assert votes == [("indstillingen", ["A", "B"], ["V", "O"], [], "adopted")]
    assert [(p[0], p[2]) for p in positions] == [("V", "against"), ("O", "against")]


def test_an_independent_written_with_an_initial_stays_in_the_vote_list(extractor):
    votes, positions, *_ = extract(
        extractor, "For stemte: A, C, Ø og A. Hansen (løsgænger). Imod stemte: V. Indstillingen blev godkendt.")
    assert votes == [("indstillingen", ["A", "C", "Ø"], ["V"], [], "adopted")]
    assert [(p[0], p[2]) for p in positions] == [("V", "against")]


def test_a_members_letter_after_a_comma(extractor):
    _, positions, *_ = extract(extractor, "Godkendt. Imod stemte (Anna Holm, A) og (Bo Lind, V).")
    assert [(p[0], p[1], p[2]) for p in positions] == [("A", ["Anna Holm"], "against"), ("V", ["Bo Lind"], "against")]


def test_a_rejected_proposal_whose_proposer_the_title_names(extractor):
    text = "Forslaget blev forkastet. For stemte: V og C. Imod stemte: A, B, F og Ø."
    _, positions, _ = extractor.extract(text, (0, len(text)), extractor.roster(text), "rejected",
                                        "Forslag fra V om lavere takster for parkering")
    assert [(p.party, p.stance) for p in positions] == [("V", "minority_proposal"), ("C", "minority_proposal")]


def test_an_anonymous_amendment_with_counts_only_is_a_vote_without_parties(extractor):
    votes, positions, *_ = extract(
        extractor, "Et ændringsforslag om at udsætte sagen blev forkastet med 3 stemmer for og 12 imod. "
                   "Indstillingen blev godkendt.")
    assert [(v[1], v[2], v[4]) for v in votes] == [([], [], "rejected")] and positions == []


def test_a_remark_for_the_minutes_is_a_reservation_unless_its_party_voted_against(extractor):
    _, positions, *_ = extract(extractor, "Godkendt. Finn Ravn (Ø) ønskede sin bemærkning ført til protokol: "
                                          "Planen er for dyr.")
    assert [(p[0], p[2]) for p in positions] == [("Ø", "reservation")]
    _, positions, *_ = extract(extractor, "Enhedslisten stemte imod. Enhedslisten ønskede følgende ført til "
                                          "protokol: Planen er for dyr. Indstillingen blev godkendt.")
    assert [(p[0], p[2]) for p in positions] == [("Ø", "against")]
