"""The README's result tables, generated from the pipeline's committed figures (metrics/*.json, written by
`make train`): what a reader sees is what the pipeline measured. `python -m pipeline.evaluate.tables` rewrites
the blocks between `<!-- table:NAME -->` and `<!-- /table -->` in README.md; tests/test_readme.py fails while
they differ from the figures."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

BLOCK = re.compile(r"(?P<open><!-- table:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(?P<close><!-- /table -->)", re.S)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _f(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def lomo_table(lomo: dict, segment: dict) -> str:
    """The whole pipeline end to end, each municipality's documents segmented by a model that did not see it."""
    rows = [
        ("item F1 (precision / recall)", f"{_f(lomo.get('item_f1'))} ({_f(lomo.get('item_precision'))} / "
                                         f"{_f(lomo.get('item_recall'))})", f"{lomo.get('item_n_gold')} gold items"),
        ("municipalities below 0.75 item F1", f"{lomo.get('municipalities_below_075')} of {lomo.get('municipalities')}",
         lomo.get("municipalities_below_075_names") or "–"),
        ("Beslutning token F1 / Indstilling token F1", f"{_f(lomo.get('decision_token_f1'))} / "
                                                      f"{_f(lomo.get('recommendation_token_f1'))}",
         f"{lomo.get('decision_n')} / {lomo.get('recommendation_n')} items"),
        ("votes F1 (precision / recall)", f"{_f(lomo.get('vote_f1'))} ({_f(lomo.get('vote_precision'))} / "
                                          f"{_f(lomo.get('vote_recall'))})", f"{lomo.get('vote_n_gold')} gold (item, side, party)"),
        ("dissenting positions F1 (precision / recall)", f"{_f(lomo.get('position_f1'))} ({_f(lomo.get('position_precision'))}"
                                                          f" / {_f(lomo.get('position_recall'))})",
         f"{lomo.get('position_n_gold')} gold positions"),
        ("rationale token F1", _f(lomo.get("rationale_token_f1")), "positions matched"),
        ("items with invented dissent", str(lomo.get("items_with_invented_dissent")), "items without gold dissent"),
        ("case-number accuracy", _f(lomo.get("case_number_accuracy")), f"{lomo.get('matched_items')} matched items"),
        ("pages with an item that got none", str(segment.get("rejected_pages")), ""),
    ]
    lines = ["| metric | score | support |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines) + "\n"


def curve_table(segment: dict) -> str:
    points = sorted((int(k.split("_")[1]), v) for k, v in segment.items() if k.startswith("curve_"))
    if not points:
        return "(no learning curve measured)\n"
    return ("| municipalities trained on | " + " | ".join(str(n) for n, _ in points) + " |\n"
            + "|---" * (len(points) + 1) + "|\n"
            + "| item F1 on the others | " + " | ".join(_f(v) for _, v in points) + " |\n")


def ablation_table(metrics_dir: Path) -> str:
    """The segmenter with and without the synthetic layouts (metrics/ablation/, metrics/segment.json)."""
    variants = [("no synthetic layouts (real gold only)", metrics_dir / "ablation" / "segment_no_synthetic.json"),
                ("+ 100 synthetic minutes in our own words", metrics_dir / "ablation" / "segment_own_words_only.json"),
                ("+ each municipality's gold re-rendered in random layouts (shipped)", metrics_dir / "segment.json")]
    sizes = sorted({int(k.split("_")[1]) for _, path in variants for k in _load(path) if k.startswith("curve_")})
    lines = ["| training data | LOMO item F1 | " + " | ".join(f"curve {n}" for n in sizes) + " |",
             "|---|---|" + "---|" * len(sizes)]
    for label, path in variants:
        figures = _load(path)
        if figures:
            lines.append(f"| {label} | {_f(figures.get('item_f1'))} | "
                         + " | ".join(_f(figures.get(f"curve_{n:02d}")) for n in sizes) + " |")
    return "\n".join(lines) + "\n"


def models_table(type_: dict, topics: dict) -> str:
    type_labels = ", ".join(f"{k[3:]} {_f(v, 2)}" for k, v in type_.items() if k.startswith("f1_"))
    topic_labels = ", ".join(f"{k[3:]} {_f(v, 2)}" for k, v in topics.items() if k.startswith("f1_"))
    return ("| model | leave-one-municipality-out | per label |\n|---|---|---|\n"
            f"| type (`{type_.get('version')}`) | accuracy {_f(type_.get('accuracy'))}, macro-F1 {_f(type_.get('macro_f1'))}, "
            f"ECE {_f(type_.get('ece'))} (majority baseline {_f(type_.get('majority_baseline_accuracy'))}) | {type_labels} |\n"
            f"| topics (`{topics.get('version')}`) | micro-F1 {_f(topics.get('micro_f1'))} (P {_f(topics.get('micro_precision'))}, "
            f"R {_f(topics.get('micro_recall'))}) | {topic_labels} |\n")


def gold_table(gold: dict) -> str:
    rows = [("item F1 (worst document)", f"{_f(gold.get('item_f1'))} ({_f(gold.get('min_item_f1_per_document'))})"),
            ("case-number accuracy (worst document)", f"{_f(gold.get('case_number_accuracy'))} "
                                                       f"({_f(gold.get('min_case_number_accuracy_per_document'))})"),
            ("type accuracy", _f(gold.get("type_accuracy"))),
            ("Indstilling / Beslutning token F1", f"{_f(gold.get('recommendation_token_f1'))} / {_f(gold.get('decision_token_f1'))}"),
            ("votes F1 / positions F1 / rationale token F1", f"{_f(gold.get('vote_f1'))} / {_f(gold.get('position_f1'))} / "
                                                           f"{_f(gold.get('rationale_token_f1'))}"),
            ("items with invented dissent", str(gold.get("items_with_invented_dissent"))),
            ("summary ROUGE-L / within 60 words / grounded numbers", f"{_f(gold.get('summary_rouge_l'))} / "
             f"{_f(gold.get('summary_within_60_words'))} / {_f(gold.get('summary_grounded_numbers'))}"),
            ("meeting date / municipality accuracy", f"{_f(gold.get('meeting_date_accuracy'))} / {_f(gold.get('municipality_accuracy'))}")]
    return "| metric | score |\n|---|---|\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)


def fresh_table(metrics_dir: Path) -> str:
    lines = ["| measured | commit | data (read after the run) | item F1 | votes F1 | positions F1 | Beslutning token F1 |",
             "|---|---|---|---|---|---|---|"]
    for path in sorted((metrics_dir / "fresh").glob("*.json")):
        record = _load(path)
        how = record.get("_how", {})
        for name, entry in record.items():
            if name.startswith("_"):
                continue
            s = entry["scores"]
            lines.append(f"| {how.get('date')} | {how.get('commit', '').split()[0]} | {entry['data'][:90]} | "
                         f"{_f(s.get('item_f1'))} ({entry['items']['tp']}/{entry['items']['n_gold']}) | "
                         f"{_f(s.get('vote_f1')) if entry['votes']['n_gold'] else '– (none)'} | "
                         f"{_f(s.get('position_f1')) if entry['positions']['n_gold'] else '– (none)'} | "
                         f"{_f(s.get('decision_token_f1'))} |")
    return "\n".join(lines) + "\n"


def tables(metrics_dir: Path) -> dict[str, str]:
    metrics_dir = Path(metrics_dir)
    segment, lomo = _load(metrics_dir / "segment.json"), _load(metrics_dir / "lomo.json")
    return {"lomo": lomo_table(lomo, segment), "curve": curve_table(segment), "ablation": ablation_table(metrics_dir),
            "models": models_table(_load(metrics_dir / "type.json"), _load(metrics_dir / "topics.json")),
            "gold": gold_table(_load(metrics_dir / "gold.json")), "fresh": fresh_table(metrics_dir)}


def render(readme: str, metrics_dir: Path) -> str:
    """The README with every generated block replaced by the table of today's figures."""
    generated = tables(metrics_dir)

    def replace(m: re.Match) -> str:
        if m.group("name") not in generated:
            raise KeyError(f"README.md names an unknown table {m.group('name')!r}")
        return m.group("open") + generated[m.group("name")] + m.group("close")

    return BLOCK.sub(replace, readme)


def main() -> None:
    root = Path(__file__).resolve().parent.parent.parent
    readme = root / "README.md"
    readme.write_text(render(readme.read_text(encoding="utf-8"), root / "metrics"), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
