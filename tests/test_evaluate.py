"""Evaluation on real pages: null gold fields are not scored, untitled items pair by content and position,
metrics come per municipality."""

import json

from pipeline.evaluate.matching import match_items
from pipeline.evaluate.score import evaluate_dirs, format_table


def _item(number, title=None, decision=None, recommendation=None, case=None, **extra):
    return {"number": number, "title": title, "title_prefix": None, "case_number": case, "type": "Beslutning",
            "topics": [], "recommendation": recommendation, "decision": decision, "outcome": "approved",
            "votes": [], "positions": [], "summary": None, **extra}


def test_titles_pair_by_similarity_and_keep_document_order():
    gold = [_item(1, "Godkendelse af dagsorden"), _item(2, "Budget 2024"), _item(3, "Eventuelt")]
    pred = [_item(1, "Godkendelse af dagsordenen"), _item(2, "Noget helt andet"), _item(3, "Eventuelt")]
    assert match_items(gold, pred) == [(0, 0), (2, 2)]


def test_untitled_items_pair_by_content_then_position():
    gold = [_item(1, decision="Godkendt."), _item(2, decision="Taget til efterretning."),
            _item(3, case="20/1234", decision=None), _item(4)]
    pred = [_item(1, decision="Godkendt."), _item(2, decision="Taget til efterretning."),
            _item(3, case="20/1234", decision="Udsat."), _item(4, decision="Noget andet")]
    assert match_items(gold, pred) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    # the same short decision twice: order decides which is which
    gold = [_item(1, decision="Godkendt."), _item(2, decision="Godkendt.")]
    assert match_items(gold, [_item(1, decision="Godkendt.")]) == [(0, 0)]
    # a titled prediction does not pair with an untitled gold item that shares nothing with it
    assert match_items([_item(1, decision="Godkendt.")], [_item(1, "Budget", decision="Afvist.")]) == []


def _write(folder, name, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_null_gold_fields_are_not_scored_and_metrics_come_per_municipality(tmp_path):
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    cut = _item(1, "Lokalplan 12", outcome=None, votes=None, positions=None)  # page stops before the Beslutning
    _write(gold_dir, "a", {"document": "a.txt", "municipality": "Aby", "committee": None, "meeting_date": None,
                           "items": [cut]})
    _write(pred_dir, "a", {"document": "a.txt", "municipality": "Aby", "committee": "Byrådet", "meeting_date": "2020-01-01",
                           "items": [_item(1, "Lokalplan 12", decision="Godkendt.", outcome="approved",
                                           positions=[{"party": "Ø", "members": [], "stance": "against",
                                                       "rationale": None}])]})
    _write(gold_dir, "b", {"document": "b.txt", "municipality": "Bby", "committee": "Byrådet",
                           "meeting_date": "2021-02-03", "items": [_item(1, "Budget"), _item(2, "Eventuelt")]})
    _write(pred_dir, "b", {"document": "b.txt", "municipality": "Cby", "committee": "Byrådet", "meeting_date": "2021-02-03",
                           "items": [_item(1, "Budget")]})
    metrics = evaluate_dirs([gold_dir], pred_dir)
    overall = metrics["overall"]
    assert overall["decision_token_f1"] is None  # no gold decision anywhere
    assert overall["outcome_accuracy"] == 1.0  # a's null outcome is not counted against its "approved"
    assert overall["positions_f1"]["n_pred"] == 0 and overall["items_with_invented_dissent"] == 0
    # a: municipality judged (right), committee and date not judged; b: municipality wrong, the others right
    assert overall["metadata"]["municipality_accuracy"] == 0.5
    assert overall["metadata"]["committee_accuracy"] == 1.0 and overall["metadata"]["meeting_date_accuracy"] == 1.0
    assert overall["metadata"]["accuracy"] == 3 / 4
    assert set(metrics["per_municipality"]) == {"Aby", "Bby"}
    assert metrics["per_municipality"]["Aby"]["items"]["f1"] == 1.0
    assert metrics["per_municipality"]["Bby"]["items"]["recall"] == 0.5
    table = format_table(metrics, "municipality")
    assert "Aby" in table and "Bby" in table and "OVERALL" in table
