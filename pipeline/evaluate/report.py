"""The evaluation report: one self-contained HTML page (inline CSS, plots as embedded PNG) that a researcher
reads instead of JSON: overall and per-document tables, the type confusion matrix, per-label F1 plots, and an
error list where each error opens to predicted vs gold and the item's source text: two clicks from the
per-document table (its error count, then the error)."""

from __future__ import annotations

import base64
import html
import io
import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from pipeline.contract import text_path_of


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_confusion(matrix: dict, path: Path | None, title: str) -> bytes:
    """A confusion matrix as PNG (written to `path` when given); rows gold, columns predicted."""
    plt = _figure()
    labels, values = matrix["labels"], np.array(matrix["matrix"])
    figure, axes = plt.subplots(figsize=(5, 4.2))
    axes.imshow(values, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(title, fontsize=10)
    for (i, j), value in np.ndenumerate(values):
        axes.text(j, i, str(value), ha="center", va="center",
                  color="white" if value > max(values.max(), 1) / 2 else "black")
    return _save(plt, figure, path)


def plot_bars(values: dict[str, float], path: Path | None, title: str, xlabel: str = "F1") -> bytes:
    """Horizontal bars, one per label, scored 0..1."""
    plt = _figure()
    labels = list(values)
    figure, axes = plt.subplots(figsize=(5, 0.45 * len(labels) + 1.2))
    axes.barh(labels, [values[l] for l in labels], color="#4c72b0")
    axes.set_xlim(0, 1.05)
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    axes.set_title(title, fontsize=10)
    for index, label in enumerate(labels):
        axes.text(min(values[label], 0.93) + 0.01, index, f"{values[label]:.2f}", va="center", fontsize=8)
    return _save(plt, figure, path)


def plot_learning_curve(points: list[dict], path: Path | None, title: str = "Segmenter: learning curve") -> bytes:
    """Item F1 on left-out municipalities against the number of municipalities trained on (mean ± sd)."""
    plt = _figure()
    figure, axes = plt.subplots(figsize=(5, 3.4))
    x = [p["municipalities"] for p in points]
    y = [p["item_f1"] for p in points]
    sd = [p.get("sd", 0.0) for p in points]
    axes.errorbar(x, y, yerr=sd, marker="o", capsize=3, color="#4c72b0")
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("training municipalities (plus synthetic layouts)")
    axes.set_ylabel("item F1, left-out municipalities")
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    return _save(plt, figure, path)


def plot_reliability(bins: list[dict], path: Path | None, title: str) -> bytes:
    """Reliability diagram: accuracy against mean confidence per confidence bin (dot size = items);
    a calibrated model lies on the diagonal."""
    plt = _figure()
    figure, axes = plt.subplots(figsize=(4.6, 4.2))
    axes.plot([0, 1], [0, 1], linestyle="--", color="#999999", linewidth=1)
    axes.scatter([b["confidence"] for b in bins], [b["accuracy"] for b in bins],
                 s=[20 + 6 * b["n"] for b in bins], color="#4c72b0", alpha=0.8)
    axes.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], color="#4c72b0", linewidth=1)
    for b in bins:
        axes.annotate(str(b["n"]), (b["confidence"], b["accuracy"]), textcoords="offset points", xytext=(6, -10), fontsize=7)
    axes.set_xlim(0, 1.02)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("predicted probability (mean in bin)")
    axes.set_ylabel("share correct")
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    return _save(plt, figure, path)


def _save(plt, figure, path: Path | None) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    data = buffer.getvalue()
    if path:
        Path(path).write_bytes(data)
    return data


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return f"{value:.3f}"
    return html.escape(str(value))


def _table(header: list[str], rows: list[list], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _short(value, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return html.escape(text if len(text) <= limit else text[:limit] + " …")


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1150px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}.num td:not(:first-child){text-align:right;font-variant-numeric:tabular-nums}
.plots{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}.plots img{border:1px solid #eee}
details{margin:.35rem 0;border:1px solid #e3e3e3;border-radius:4px;padding:.3rem .6rem;background:#fcfcfc}
summary{cursor:pointer;font-weight:600}.kind{font-size:.75rem;padding:.05rem .35rem;border-radius:3px;background:#eee;margin-right:.4rem}
.missed{background:#fde2e1}.spurious{background:#fff1cc}.field{background:#e2ecfd}
pre{white-space:pre-wrap;background:#f7f7f7;padding:.6rem;max-height:28rem;overflow:auto;font-size:.8rem}
.gold{color:#1a7f37}.pred{color:#b3261e}.muted{color:#666;font-size:.85rem}
.banner{background:#fff3cd;border:2px solid #e0a800;border-radius:6px;padding:.8rem 1rem;font-size:1.05rem;margin:1rem 0}
del{background:#fde2e1;color:#8a1c16}ins{background:#dcf5e3;color:#14632c;text-decoration:none}
.filters{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ddd;z-index:1}
.filters select{margin-right:1rem}.shown{font-weight:600}
"""
# Client-side filter of the error list (no server, nothing fetched): by municipality, field and kind; the choice
# lives in the address's fragment (#municipality=...&field=...&kind=...), so a filtered view can be linked.
FILTER_JS = """
function apply(){const f={};for(const s of document.querySelectorAll('.filters select'))f[s.name]=s.value;
let n=0;for(const e of document.querySelectorAll('details.error')){const ok=(!f.municipality||e.dataset.municipality===f.municipality)
&&(!f.kind||e.dataset.kind===f.kind)&&(!f.field||e.dataset.fields.split(' ').includes(f.field));e.hidden=!ok;n+=ok}
for(const g of document.querySelectorAll('details.document')){g.hidden=!g.querySelector('details.error:not([hidden])')}
document.getElementById('shown').textContent=n;
history.replaceState(null,'','#'+new URLSearchParams(Object.entries(f).filter(([k,v])=>v)).toString())}
function init(){const h=new URLSearchParams(location.hash.slice(1));for(const s of document.querySelectorAll('.filters select')){
if(h.get(s.name))s.value=h.get(s.name);s.addEventListener('change',apply)}apply()}
document.addEventListener('DOMContentLoaded',init);
"""


def build_report(metrics: dict, pred_dir: Path, title: str = "referat evaluation report",
                 learning_curve: dict | None = None, calibration: dict | None = None,
                 in_sample: list[str] | None = None) -> str:
    """The report page for `metrics` (from evaluate_dirs), reading item source text from `pred_dir`;
    `learning_curve` ({version, item_f1, points}) adds the segmenter's learning curve, `calibration`
    ({version, ece, ece_uncalibrated, bins}) the type model's reliability diagram."""
    overall, per_document = metrics["overall"], metrics["per_document"]
    parts = [f"<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>",
             f"<p class='muted'>{overall['documents']} documents, {overall['items']['n_gold']} gold items; predictions "
             f"from <code>{html.escape(str(pred_dir))}</code>; made {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. "
             f"Items are paired with gold in document order, by title or, where a title is missing, by content; all "
             f"item scores are over paired items.</p>"]
    # the documents were read (and checked against the contract) by the evaluation; the report reads them again
    predictions = {name: Path(path) for name, path in metrics.get("prediction_files", {}).items()}
    labellers = _labellers(predictions)
    if in_sample:
        parts.append("<div class='banner' role='alert'><strong>In-sample figures.</strong> The models that made these "
                     "predictions were trained on this gold (" + ", ".join(html.escape(s) for s in in_sample) + "): "
                     "every figure below is an upper bound. The honest figures are leave-one-municipality-out "
                     "(<code>metrics/lomo.json</code>, <code>metrics/type.json</code>, the README).</div>")
    if any(l.startswith("model:") for l in labellers):
        parts.append("<p class='muted'>Types and topics by " + ", ".join(html.escape(l) for l in sorted(labellers))
                     + ". A model trained on the gold evaluated here scores in-sample; its leave-one-municipality-out "
                     "scores are in its model card.</p>")

    o = overall
    matched = o["matched_items"]

    def judged(field: str) -> str:
        return str(o.get(f"{field}_judged", matched))

    rows = [
        ["Items (segmentation)", "precision / recall / F1",
         f"{_fmt(o['items']['precision'])} / {_fmt(o['items']['recall'])} / {_fmt(o['items']['f1'])}",
         f"{o['items']['n_gold']} gold, {o['items']['n_pred']} predicted"],
        ["Item type", "accuracy / macro-F1", f"{_fmt(o['type_accuracy'])} / {_fmt(o['type']['macro_f1'])}",
         f"{matched} matched items"],
        ["Type from printed prefix (baseline)", "accuracy where printed",
         _fmt(o["type_title_prefix_baseline"]["accuracy_where_printed"]), "items printing a prefix"],
        ["Topics", "micro P / R / F1", " / ".join(_fmt(o["topics"]["micro"][k]) for k in ("precision", "recall", "f1")),
         f"{o['topics']['micro']['n_gold']} gold topics"],
        ["Outcome", "accuracy", _fmt(o["outcome_accuracy"]), f"{matched} matched items"],
        ["Indstilling", "token F1 / exact", f"{_fmt(o['recommendation_token_f1'])} / {_fmt(o['recommendation_exact'])}",
         f"{judged('recommendation')} items judged"],
        ["Beslutning", "token F1 / exact", f"{_fmt(o['decision_token_f1'])} / {_fmt(o['decision_exact'])}",
         f"{judged('decision')} items judged"],
        ["Votes", "F1 over (item, side, party)", _fmt(o["votes_f1"]["f1"]), f"{o['votes_f1']['n_gold']} gold"],
        ["Dissent positions", "F1 over (item, party, stance)", _fmt(o["positions_f1"]["f1"]),
         f"{o['positions_f1']['n_gold']} gold"],
        ["Dissent parties", "F1 over (item, party)", _fmt(o["parties_f1"]["f1"]), f"{o['parties_f1']['n_gold']} gold"],
        ["Rationales", "token F1", _fmt(o["rationale_token_f1"]), "matched positions"],
        ["Invented dissent / votes", "items", f"{_fmt(o['items_with_invented_dissent'])} / "
         f"{_fmt(o.get('items_with_invented_votes'))}", "items without gold dissent"],
        ["Summaries", "ROUGE-L / within 60 words / grounded numbers / grounded claims",
         f"{_fmt(o['summary_rouge_l'])} / {_fmt(o['summary_within_60_words'])} / "
         f"{_fmt(o['summary_grounded_numbers'])} / {_fmt(o.get('summary_grounded_claims'))}", f"{matched} items"],
        ["Case number", "accuracy", _fmt(o["case_number_accuracy"]), f"{matched} matched items"],
        ["Meeting date / municipality / committee", "accuracy",
         " / ".join(_fmt(o["metadata"][k]) for k in ("meeting_date_accuracy", "municipality_accuracy", "committee_accuracy")),
         f"{o['documents']} documents"],
        ["Attendees / absent", "set F1", f"{_fmt(o['metadata']['attendees_f1'])} / {_fmt(o['metadata']['absent_f1'])}",
         f"{o['documents']} documents"],
    ]
    topic_rows = [[html.escape(label), _fmt(m["precision"]), _fmt(m["recall"]), _fmt(m["f1"]), str(m["n_gold"]),
                   str(m["n_pred"])] for label, m in o["topics"]["per_label"].items()]
    parts.append("<h2>Overall</h2>" + _table(["stage", "metric", "score", "support (n)"], rows))
    if topic_rows:
        parts.append("<h3>Topics, per label</h3>" + _table(["topic", "precision", "recall", "F1", "gold (n)",
                                                            "predicted (n)"], topic_rows, "num"))

    plots = [_img(plot_confusion(overall["type_confusion"], None, "Item type: gold (rows) vs predicted"), "type confusion matrix")]
    type_f1 = {l: m["f1"] for l, m in overall["type"]["per_label"].items() if m["n_gold"] or m["n_pred"]}
    if type_f1:
        plots.append(_img(plot_bars(type_f1, None, "Item type: F1 per label"), "type F1 per label"))
    topic_f1 = {l: m["f1"] for l, m in overall["topics"]["per_label"].items()}
    if topic_f1:
        plots.append(_img(plot_bars(topic_f1, None, "Topics: F1 per label"), "topic F1 per label"))
    municipalities = metrics.get("per_municipality") or {}
    if len(municipalities) > 1:
        plots.append(_img(plot_bars({m: v["items"]["f1"] for m, v in municipalities.items()}, None,
                                    "Segmentation: item F1 per municipality"), "item F1 per municipality"))
    else:
        plots.append(_img(plot_bars({d: m["items"]["f1"] for d, m in per_document.items()}, None,
                                    "Segmentation: item F1 per document"), "item F1 per document"))
    parts.append("<h2>Plots</h2><div class='plots'>" + "".join(plots) + "</div>")

    doc_rows = [[html.escape(name), _fmt(d["items"]["f1"]), _fmt(d["type_accuracy"]), _fmt(d["topics"]["micro"]["f1"]),
                 _fmt(d["recommendation_token_f1"]), _fmt(d["decision_token_f1"]), _fmt(d["positions_f1"]["f1"]),
                 _fmt(d["summary_rouge_l"]), _fmt(d["metadata"]["meeting_date"]), _fmt(d["metadata"]["municipality"]),
                 f"<a href='#errors-{html.escape(name)}'>{sum(e['document'] == name for e in metrics['item_errors'])}</a>"]
                for name, d in per_document.items()]
    table = _table(["document", "item F1", "type acc", "topics F1", "Indstilling F1", "Beslutning F1", "position F1",
                    "summary ROUGE-L", "date", "municipality", "errors"], doc_rows, "num")
    # a long list of documents folds away, so the page stays short: its heading says how many
    parts.append("<h2>Per document</h2>" + (table if len(doc_rows) <= 25 else
                 f"<details><summary>{len(doc_rows)} documents</summary>{table}</details>"))

    if len(municipalities) > 1:
        rows = [[html.escape(name), str(m["documents"]), _fmt(m["items"]["f1"]), f"{m['items']['tp']}/{m['items']['n_gold']}",
                 _fmt(m["type_accuracy"]), _fmt(m["topics"]["micro"]["f1"]), _fmt(m["decision_token_f1"]),
                 *[_fmt(m[k]["f1"]) if m[k]["n_gold"] or m[k]["n_pred"] else "–" for k in ("votes_f1", "positions_f1")],
                 _fmt(m["rationale_token_f1"]), _fmt(m["metadata"]["accuracy"])] for name, m in municipalities.items()]
        parts.append("<h2>Per municipality</h2><p class='muted'>Generalisation shows here: each row is one "
                     "municipality's documents. Null gold fields (pages cut before a section) are not scored.</p>"
                     + _table(["municipality", "documents", "item F1", "items found", "type acc", "topics F1",
                               "Beslutning F1", "vote F1", "position F1", "rationale F1", "metadata acc"], rows, "num"))
    if learning_curve:
        parts.append("<h2>Segmenter, leave one municipality out</h2><p class='muted'>From the segmenter's model "
                     f"card ({html.escape(learning_curve.get('version', ''))}): item F1 "
                     f"{_fmt(learning_curve.get('item_f1'))} on municipalities it did not train on; the learning curve "
                     "shows item F1 on left-out municipalities against how many it trained on.</p>"
                     + _img(plot_learning_curve(learning_curve["points"], None), "segmenter learning curve"))

    if calibration:
        parts.append("<h2>Item type: calibration, leave one municipality out</h2><p class='muted'>From the type "
                     f"model's card ({html.escape(calibration.get('version', ''))}): expected calibration error "
                     f"{_fmt(calibration['ece'])} after temperature scaling (temperature fitted on the other "
                     f"municipalities), {_fmt(calibration.get('ece_uncalibrated'))} before. Each dot is a confidence "
                     "bin; the number is its items. Items under the review threshold are marked by "
                     "<code>referat export</code>.</p>"
                     + _img(plot_reliability(calibration["bins"], None, "Item type: reliability (LOMO)"),
                            "type reliability diagram"))

    errors_by_document = {d: [e for e in metrics["item_errors"] if e["document"] == d] for d in per_document}
    municipality_of = {d: m.get("municipality") or "?" for d, m in per_document.items()}
    fields = sorted({f for e in metrics["item_errors"] for f in e["fields"]})

    def options(name: str, values: list[str]) -> str:
        return (f"<select name='{name}'><option value=''>all {name}s</option>"
                + "".join(f"<option value='{html.escape(v)}'>{html.escape(v)}</option>" for v in values) + "</select>")

    parts.append("<h2>Errors</h2><div class='filters'>" + options("municipality", sorted(set(municipality_of.values())))
                 + options("field", fields) + options("kind", ["field", "missed", "spurious"])
                 + f"<span class='shown'><span id='shown'>{len(metrics['item_errors'])}</span> errors shown</span></div>"
                 "<p class='muted'>Open a document, then an error: gold against predicted as a difference "
                 "(<del>gold only</del> <ins>predicted only</ins>) and the item's source text as the pipeline read it.</p>")
    for document, errors in errors_by_document.items():
        if not errors:
            continue
        path = predictions.get(document)
        predicted, text = _load_prediction(pred_dir, path)
        task = path.relative_to(pred_dir).with_suffix("").as_posix() if path and path.is_relative_to(pred_dir) else None
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(Counter(e["kind"] for e in errors).items()))
        parts.append(f"<details class='document' id='errors-{html.escape(document)}'><summary>{html.escape(document)} "
                     f"<span class='muted'>({html.escape(municipality_of[document])}; {kinds})</span></summary>")
        for error in errors:
            parts.append(_error_html(error, predicted, text, task, pred_dir, municipality_of[document]))
        parts.append("</details>")
    parts.append(f"<script>{FILTER_JS}</script>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _labellers(predictions: dict[str, Path]) -> set[str]:
    found = set()
    for path in predictions.values():
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data.get("items", []):
            found.update(v for k, v in item.get("provenance", {}).items() if k in ("type", "topics"))
    return found


def _load_prediction(pred_dir: Path, path: Path | None) -> tuple[dict | None, str]:
    """A prediction and the normalised text it points into (relative to the run's output folder)."""
    if path is None:
        return None, ""
    predicted = json.loads(path.read_text(encoding="utf-8"))
    text_path = Path(pred_dir) / (text_path_of(predicted) or "")
    return predicted, text_path.read_text(encoding="utf-8") if text_path.is_file() else ""


def difference(gold, pred) -> str:
    """Gold against predicted as one marked-up difference: words (text fields) or entries (lists) only in gold
    are struck out, those only in the prediction inserted; what both have is plain."""
    import difflib

    if isinstance(gold, list) or isinstance(pred, list):
        def entries(value) -> list[str]:
            return [json.dumps(v, ensure_ascii=False, sort_keys=True) if not isinstance(v, str) else v
                    for v in value or []]
        g, p = entries(gold), entries(pred)
        return (" ".join(f"<del>{html.escape(x)}</del>" for x in g if x not in p)
                + " " + " ".join(f"<ins>{html.escape(x)}</ins>" for x in p if x not in g)
                + (" <span class='muted'>(" + ", ".join(html.escape(x) for x in g if x in p) + " in both)</span>"
                   if any(x in p for x in g) else "")).strip()
    g, p = ("" if gold is None else str(gold)).split(), ("" if pred is None else str(pred)).split()
    out = []
    for op, a, b, c, d in difflib.SequenceMatcher(a=g, b=p, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape(" ".join(g[a:b])))
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(' '.join(g[a:b]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(' '.join(p[c:d]))}</ins>")
    if gold is None:
        out.insert(0, "<del>(none)</del>")
    if pred is None:
        out.append("<ins>(none)</ins>")
    return " ".join(out)


def _error_html(error: dict, predicted: dict | None, text: str, task: str | None = None,
                pred_dir: Path | None = None, municipality: str = "?") -> str:
    kind = error["kind"]
    label = {"field": ", ".join(error["fields"]), "missed": "item not found", "spurious": "item not in gold"}[kind]
    inner = ""
    if error["fields"]:
        inner += _table(["field", "gold → predicted"], [[html.escape(f), difference(v["gold"], v["pred"])]
                                                        for f, v in error["fields"].items()])
    if predicted is not None and error["pred_index"] is not None:
        item = predicted["items"][error["pred_index"]]
        start, end = item["spans"]["item"]
        inner += (f"<p class='muted'>predicted item {item['number']}, characters {start}–{end} of the normalised text; "
                  f"type by {html.escape(item.get('provenance', {}).get('type', '?'))}</p>"
                  f"<p class='muted'>Source text of the item:</p><pre class='source'>{html.escape(text[start:end])}</pre>")
    elif kind == "missed":
        inner += "<p class='muted'>No predicted item matched this gold title: see the document's other errors.</p>"
    if task:
        region = f", region <code>item-{error['pred_index']}</code>" if error["pred_index"] is not None else ""
        inner += (f"<p class='review'>Correct it in Label Studio: task <code>{html.escape(task)}</code>{region} — "
                  f"<code>referat review {html.escape(str(pred_dir))} review.json --document {html.escape(task)}</code>, "
                  "then <code>referat import-annotations</code> (README, Annotation loop).</p>")
    data = (f"data-municipality='{html.escape(municipality)}' data-kind='{kind}' "
            f"data-fields='{html.escape(' '.join(error['fields']))}'")
    return (f"<details class='error' {data}><summary><span class='kind {kind}'>{kind}</span>{html.escape(error['title'] or '(untitled item)')} "
            f"<span class='muted'>— {html.escape(label)}</span></summary>{inner}</details>")


def _card(model_dir: Path | None, needs: str) -> tuple[str, dict] | None:
    """A model card's version and LOMO metrics, if the card exists and holds `needs`."""
    card = Path(model_dir) / "model_card.json" if model_dir else None
    if not card or not card.is_file():
        return None
    data = json.loads(card.read_text(encoding="utf-8"))
    metrics = data.get("metrics", {})
    return (data.get("version", ""), metrics) if metrics.get(needs) else None


def segmenter_curve(model_dir: Path | None) -> dict | None:
    """The learning curve and LOMO item F1 from a segmenter's model card, if it has them."""
    found = _card(model_dir, "learning_curve")
    if found is None:
        return None
    version, metrics = found
    return {"version": version, "item_f1": metrics.get("item_f1"), "points": metrics["learning_curve"]}


def type_calibration(model_dir: Path | None) -> dict | None:
    """The LOMO calibration bins from a type model's card, if it has them."""
    found = _card(model_dir, "calibration")
    if found is None:
        return None
    version, metrics = found
    return {"version": version, "ece": metrics["calibration"]["ece"], "bins": metrics["calibration"]["bins"],
            "ece_uncalibrated": metrics.get("calibration_uncalibrated", {}).get("ece")}


def in_sample_sources(gold_dirs: list[Path], model_dirs: list[Path | None]) -> list[str]:
    """The evaluated gold folders that a model in use was trained on (its card's training config names them)."""
    evaluated = {Path(g).resolve() for g in gold_dirs}
    found = []
    for model_dir in model_dirs:
        card = Path(model_dir) / "model_card.json" if model_dir else None
        if not card or not card.is_file():
            continue
        config = json.loads(card.read_text(encoding="utf-8")).get("config", {})
        sources = config.get("gold") or config.get("data", {}).get("gold") or []
        for source in sources:
            if Path(source["gold_dir"]).resolve() in evaluated:
                found.append(f"{Path(model_dir).name} trained on {source['gold_dir']}")
    return sorted(set(found))


def write_report(metrics: dict, pred_dir: Path, out: Path, learning_curve: dict | None = None,
                 calibration: dict | None = None, in_sample: list[str] | None = None) -> Path:
    from pipeline.writers import write_text_atomic

    write_text_atomic(out, build_report(metrics, pred_dir, learning_curve=learning_curve, calibration=calibration,
                                        in_sample=in_sample))
    return out
