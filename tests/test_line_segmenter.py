"""The learned segmenter: line features, labels derived from gold, the CRF labeller, decoding, the training job,
and the shipped model being current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_pipeline_config
from pipeline.evaluate.matching import match_items
from pipeline.learn.line_labels import LineAligner
from pipeline.learn.segment import fingerprint, load_segment_config
from pipeline.learn.synthetic_layouts import LayoutGenerator
from pipeline.records import SourceText
from pipeline.stages.segment import LineSegmenter, Segmenter, build_segmenter, line_features
from pipeline.stages.segment.features import LineFeaturizer
from pipeline.stages.segment.model import MODEL_FILE, LineLabeller
from pipeline.stages.segment.vocabulary import Vocabulary
from tests.conftest import ROOT

CONFIG = load_pipeline_config().segment
FEATURIZER = LineFeaturizer(Vocabulary(CONFIG))
RULES = Segmenter(CONFIG)


def _source(text: str, name: str = "page.txt") -> SourceText:
    return SourceText(Path(name), "txt", text)


@pytest.mark.parametrize("line, shape, number", [
    ("Punkt 3: Godkendelse af dagsorden", "item_word", 3),
    ("Pkt. 42 Budgetopfølgning", "item_word", 42),
    ("Nr.143 - Godkendelse af dagsorden", "nr_dash", 143),
    ("1 : Godkendelse af dagsorden", "num_colon", 1),
    ("• 1", "bullet_num", 1),
    ("01. Meddelelser", "num_dot", 1),
    ("258Godkendelse af dagsorden", "num_glued", 258),
    ("• 302. Planstrategi 2020", "num_dot", 302),
    ("åbent 4 Udskydelse af byggeri", "status_num", 4),
    ("12-03-2020 kl. 16:00", None, None),
    ("Forvaltningen indstiller, at planen godkendes.", None, None),
])
def test_numbering_shapes(line, shape, number):
    assert FEATURIZER.shape(line) == (shape, number)


def test_line_features_describe_labels_headings_and_furniture():
    text = ("SOURCE: https://example-kommune.dk/x\nSagsid.: 20/49335\nBeslutningGodkendt.\nBeslutning i Byrådet den "
            "19-12-2016\nKopier link til punktet - Print\nIndholdsfortegnelse\n1. A-sag om veje\n2. B-sag om skoler\n"
            "3. C-sag om haver\n")
    lines = FEATURIZER.lines(text, len(text), flat=False)
    rows = FEATURIZER.features(text, lines)
    by_text = {text[l.start : l.end]: set(row) for l, row in zip(lines, rows)}
    assert {"case_label", "case_number"} <= by_text["Sagsid.: 20/49335"]
    assert "sec=glued" in by_text["BeslutningGodkendt."]
    assert {"sec=dec", "sec_tail", "sec_dated"} <= by_text["Beslutning i Byrådet den 19-12-2016"]
    assert "furniture" in by_text["Kopier link til punktet - Print"]
    assert "toc_heading" in by_text["Indholdsfortegnelse"]
    assert all("numbered_block" in by_text[t] for t in ("1. A-sag om veje", "2. B-sag om skoler", "3. C-sag om haver"))
    assert "source_line" in by_text["SOURCE: https://example-kommune.dk/x"]


def test_transcript_lines_are_cut_at_heading_words():
    text = "35 Godkendelse af dagsorden Sagsnr.: 15/1234 Beslutning i Udvalget den 3.4.2015: Godkendt. Side 3\n"
    pieces = [text[l.start : l.end] for l in FEATURIZER.lines(text, len(text), flat=True)]
    assert pieces[0] == "35 Godkendelse af dagsorden"
    assert any(p.startswith("Sagsnr.:") for p in pieces) and any(p.startswith("Beslutning i Udvalget") for p in pieces)


PAGE = """SOURCE: https://example-kommune.dk/referat
Skip til hovedindholdet
Referat
Indholdsfortegnelse
11. Godkendelse af dagsorden
12. Ny skolesti
13. Busplan
11. Godkendelse af dagsorden
Beslutning
Godkendt.
12. Ny skolesti
Sagsnr.: 21/4455
Indstilling
Forvaltningen indstiller,
at stien anlægges.
Beslutning
Godkendt.
13. Busplan
"""


def test_alignment_labels_lines_from_item_gold():
    gold = {"items": [
        {"number": 11, "title": "Godkendelse af dagsorden", "case_number": None, "recommendation": None,
         "decision": "Godkendt."},
        {"number": 12, "title": "Ny skolesti", "case_number": "21/4455", "recommendation": "at stien anlægges.",
         "decision": "Godkendt."},
    ]}
    aligned = LineAligner(FEATURIZER).align("page", _source(PAGE), gold)
    labels = {PAGE[l.start : l.end] + f"@{i}": label for i, (l, label) in enumerate(zip(aligned.lines, aligned.labels))}
    assert aligned.problems == []
    assert [labels[k] for k in ("11. Godkendelse af dagsorden@4", "12. Ny skolesti@5", "13. Busplan@6")] == ["O"] * 3
    assert labels["11. Godkendelse af dagsorden@7"] == "T" and labels["12. Ny skolesti@10"] == "T"
    assert labels["Sagsnr.: 21/4455@11"] == "H-case" and labels["Indstilling@12"] == "H-rec"
    assert labels["Beslutning@15"] == "H-dec"
    # cut after its heading, not annotated, but still an item start: numbered like the others, next number
    assert labels["13. Busplan@17"] == "T"


def _examples(documents: int, seed: int):
    out = []
    aligner = LineAligner(FEATURIZER)
    for name, text, gold in LayoutGenerator(seed).documents(documents):
        source = _source(text, name + ".txt")
        aligned = aligner.align(name, source, gold)
        lines, features = line_features(source, FEATURIZER, RULES)
        out.append((source, gold, lines, features, aligned.labels))
    return out


@pytest.fixture(scope="module")
def trained():
    train = _examples(60, seed=11)
    labeller = LineLabeller(max_iterations=60).fit([x[3] for x in train], [x[4] for x in train])
    return labeller, _examples(25, seed=12)


def test_labeller_trained_on_some_layouts_segments_unseen_pages(trained):
    labeller, held_out = trained
    segmenter = LineSegmenter(CONFIG, labeller, "test", start_threshold=0.2)
    tp = n_pred = n_gold = 0
    for source, gold, lines, features, _ in held_out:
        predicted = [item.to_json() for item in segmenter.segment(source, lines, features).items]
        tp += len(match_items(gold["items"], predicted))
        n_pred, n_gold = n_pred + len(predicted), n_gold + len(gold["items"])
    f1 = 2 * tp / (n_pred + n_gold)
    assert f1 >= 0.8, f"item F1 {f1:.3f} on unseen synthetic pages (the rule segmenter alone: 0.52)"


def test_labeller_saves_its_own_format_and_reloads_identically(trained, tmp_path):
    labeller, held_out = trained
    labeller.save(tmp_path / "segment", {"version": "segment@test", "start_threshold": 0.2})
    assert (tmp_path / "segment" / MODEL_FILE).read_bytes()[:4] == b"lCRF"  # CRFsuite's format, not a pickle
    again = LineLabeller.load(tmp_path / "segment")
    features = [x[3] for x in held_out]
    assert again.predict(features) == labeller.predict(features)
    segmenter = build_segmenter(CONFIG, tmp_path / "segment")
    assert isinstance(segmenter, LineSegmenter) and segmenter.start_threshold == 0.2
    assert isinstance(build_segmenter(CONFIG, tmp_path / "missing"), Segmenter)


def test_decoding_untitled_pages_glued_headings_navigation_and_cut_items(trained):
    labeller, _ = trained
    decoder = LineSegmenter(CONFIG, labeller, "test").decoder
    text = ("Kopier link til punktet - Print\nVi fortsætter drøftelsen fra sidst.\nBeslutningGodkendt.\n"
            "Kopier link til punktet - Print\nIndstilling\nat planen vedtages.\nBeslutning\nTaget til efterretning.\n"
            "7. Sidste punkt\n")
    lines = FEATURIZER.lines(text, len(text), flat=False)
    labels = ["O", "S", "H-dec", "I", "S-rec", "I", "H-dec", "I", "T"]
    headings, sections, dropped = decoder.decode(text, lines, labels, "test")
    assert dropped == 1  # "7. Sidste punkt" has nothing under it: a page cut after the heading
    assert [h.title_span for h in headings] == [None, None]
    first = [s for s in sections[0] if s.kind == "decision"][0]
    assert text[first.body[0] : first.body[1]].strip() == "Godkendt."  # glued to its heading
    assert [s.kind for s in sections[1]] == ["recommendation", "decision"]
    # a navigation line the model took for a title gives way to the title after it
    text = "Til toppen\n3. Ny skolesti\nBeslutning\nGodkendt.\n"
    lines = FEATURIZER.lines(text, len(text), flat=False)
    headings, _, _ = decoder.decode(text, lines, ["T", "TC", "H-dec", "I"], "test")
    assert text[headings[0].title_span[0] : headings[0].title_span[1]] == "Ny skolesti"


def test_posterior_starts_add_likely_starts_and_keep_a_page_from_having_none():
    from pipeline.stages.segment.decode import LineDecoder

    marginals = [{"O": 0.9, "T": 0.1}, {"I": 0.6, "T": 0.4}, {"I": 1.0}, {"I": 0.7, "S-dec": 0.3}]
    assert LineDecoder.posterior_starts(["O", "I", "I", "I"], marginals, 0.25) == ["O", "T", "I", "S-dec"]
    only_weak = [{"O": 0.9, "T": 0.1}, {"I": 0.95, "T": 0.05}]
    assert LineDecoder.posterior_starts(["O", "I"], only_weak, 0.25) == ["T", "I"]


def test_train_segment_command_writes_a_model_with_card_and_lomo_scores(tmp_path):
    config = {
        "task": "segment",
        "gold": [{"gold_dir": str(ROOT / "data" / "sample_gold"), "corpus_dir": str(ROOT / "data" / "sample")}],
        "synthetic": {"documents": 15, "seed": 3}, "real_weight": 2, "params": {"max_iterations": 40},
        "start_threshold": 0.2, "learning_curve": [0, 2], "learning_curve_repeats": 1,
        "output": str(tmp_path / "segment"), "experiment": "test",
    }
    path = tmp_path / "train_segment.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "segment", "--config", str(path), "--no-mlflow",
                                      "--predictions", str(tmp_path / "lomo")])
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "segment" / "model_card.json").read_text(encoding="utf-8"))
    assert card["metrics"]["cv"] == "lomo" and set(card["metrics"]["per_municipality"]) == {
        "Gladsaxe", "Vejle", "Favrskov", "Randers", "Svendborg"}
    assert [p["municipalities"] for p in card["metrics"]["learning_curve"]] == [0, 2]
    assert card["fingerprint"] == fingerprint(load_segment_config(path))
    assert (tmp_path / "segment" / "MODEL_CARD.md").is_file() and (tmp_path / "segment" / "learning_curve.png").is_file()
    written = sorted(p.stem for p in (tmp_path / "lomo").glob("*.json"))
    assert written and set(written) <= {"enkelt_punkt", "nummererede_punkter", "punkt_referat", "transcript", "web_export"}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**config, "gold": [{"gold_dir": str(tmp_path / "none"), "corpus_dir": "x"}]}))
    result = CliRunner().invoke(app, ["train", "segment", "--config", str(bad), "--no-mlflow", "--cv", "none"])
    assert result.exit_code == 2 and f"error: {tmp_path / 'none'}: no such folder" in result.output
