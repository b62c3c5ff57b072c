"""Label Studio as the annotation tool for gold data: documents as tasks with the pipeline's output as
pre-annotations, and annotations back into gold files of the GUIDELINES.md schema.

One task is one document, so an item is judged in its context. Regions over the text carry what is verbatim:
`Item` (the whole agenda item), `Title`, `CaseNumber`, `Indstilling`, `Beslutning`, `Dissent` (a position's
stated rationale, or — when it states none — its decision, marked `context`). Choices and text areas attached to
a region (perRegion) carry the rest: an item's number, title prefix, type, topics, outcome, votes (one per
line: `motion | for | against | abstain | result`, letters comma-separated) and summary; a position's party,
stance and members. Meeting metadata are task-level text areas. `labelling_config` writes the matching XML."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from pipeline.config import ITEM_TYPES
from pipeline.contract import OUTCOME, RESULT, STANCE, contract_problem
from pipeline.records import squash

SPAN_LABELS = {"title": "Title", "case_number": "CaseNumber", "recommendation": "Indstilling", "decision": "Beslutning"}
TITLE_PREFIXES = ["Beslutning", "Orientering", "Beslutningssag", "Orienteringssag", "Drøftelse", "Meddelelser"]
METADATA = ["municipality", "committee", "meeting_date", "attendees", "absent"]
MAX_SUMMARY_WORDS = 60


class AnnotationError(Exception):
    """An annotation that cannot become gold; str() names the task and what is wrong."""


@dataclass(frozen=True)
class Vocabulary:
    """What annotators choose from: the topic taxonomy and the party letters of configs/dissent.yaml."""

    topics: list[str]
    parties: list[str]


def _choices(name: str, values: list[str], multiple: bool = False, per_region: bool = True) -> str:
    options = "".join(f"<Choice value={quoteattr(v)}/>" for v in values)
    return (f'<Choices name="{name}" toName="text" perRegion="{str(per_region).lower()}" '
            f'choice="{"multiple" if multiple else "single"}" showInline="true">{options}</Choices>')


def _textarea(name: str, placeholder: str, per_region: bool = True, rows: int = 1) -> str:
    return (f'<TextArea name="{name}" toName="text" perRegion="{str(per_region).lower()}" editable="true" '
            f'maxSubmissions="1" rows="{rows}" placeholder={quoteattr(placeholder)}/>')


def labelling_config(vocabulary: Vocabulary) -> str:
    """The Label Studio labelling config (XML) for these tasks."""
    labels = "".join(f'<Label value="{v}"/>' for v in ["Item", *SPAN_LABELS.values(), "Dissent"])
    meta = "".join(_textarea(name, f"{name} (one per line)" if name in ("attendees", "absent") else name,
                             per_region=False, rows=3 if name in ("attendees", "absent") else 1) for name in METADATA)
    item = "".join([
        _textarea("number", "agenda number"),
        _choices("title_prefix", TITLE_PREFIXES),
        _choices("type", list(ITEM_TYPES)),
        _choices("topics", vocabulary.topics, multiple=True),
        _choices("outcome", list(OUTCOME.__args__)),
        _textarea("votes", "motion | for | against | abstain | result (one vote per line)", rows=2),
        _textarea("summary", f"summary, at most {MAX_SUMMARY_WORDS} words", rows=3),
    ])
    dissent = "".join([
        _choices("party", vocabulary.parties),
        _choices("stance", list(STANCE.__args__)),
        _textarea("members", "members (one per line)", rows=2),
        _choices("dissent_span", ["rationale", "context"]),
    ])
    return ("<View>\n"
            '  <Header value="$document"/>\n'
            f'  <Labels name="span" toName="text">{labels}</Labels>\n'
            '  <Text name="text" value="$text" granularity="symbol"/>\n'
            f"  <View>{meta}</View>\n"
            f'  <View visibleWhen="region-selected" whenLabelValue="Item">{item}</View>\n'
            f'  <View visibleWhen="region-selected" whenLabelValue="Dissent">{dissent}</View>\n'
            "</View>\n")


# ---------------------------------------------------------------------------------------- predictions → task


def _region(region_id: str, span: tuple[int, int] | list[int], text: str, label: str) -> dict:
    start, end = span
    return {"id": region_id, "from_name": "span", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]}}


def _attached(region: dict, name: str, kind: str, values: list[str]) -> dict:
    value = {"start": region["value"]["start"], "end": region["value"]["end"],
             ("choices" if kind == "choices" else "text"): values}
    return {"id": region["id"], "from_name": name, "to_name": "text", "type": kind, "value": value}


def _vote_line(vote: dict) -> str:
    return " | ".join([vote.get("motion") or "", ",".join(vote["for"]), ",".join(vote["against"]),
                       ",".join(vote["abstain"]), vote.get("result") or "unknown"])


def document_task(document: dict, text: str, task_id: str, reasons: list[str] | None = None) -> dict:
    """A Label Studio task for one output document (as `referat run` writes it, with its normalised text), its
    items and labels as a prediction that annotators correct."""
    result = []
    for name in METADATA:
        value = document.get(name)
        lines = value if isinstance(value, list) else ([] if value is None else [value])
        result.append({"id": f"meta-{name}", "from_name": name, "to_name": "text", "type": "textarea",
                       "value": {"text": lines}})
    for index, item in enumerate(document["items"]):
        spans = item.get("spans") or {}
        if "item" not in spans:
            raise AnnotationError(f"{task_id}: item {index + 1} has no span: only `referat run` output can be a task")
        region = _region(f"item-{index}", spans["item"], text, "Item")
        result.append(region)
        result.append(_attached(region, "number", "textarea", [] if item["number"] is None else [str(item["number"])]))
        for name in ("title_prefix", "type", "outcome"):
            if item.get(name):
                result.append(_attached(region, name, "choices", [item[name]]))
        if item.get("topics"):
            result.append(_attached(region, "topics", "choices", list(item["topics"])))
        if item.get("votes"):
            result.append(_attached(region, "votes", "textarea", [_vote_line(v) for v in item["votes"]]))
        if item.get("summary"):
            result.append(_attached(region, "summary", "textarea", [item["summary"]]))
        for field, label in SPAN_LABELS.items():
            if field in spans and item.get(field) is not None:
                result.append(_region(f"item-{index}-{field}", spans[field], text, label))
        for number, position in enumerate(item.get("positions") or []):
            rationale = (position.get("spans") or {}).get("rationale")
            span = rationale or spans.get("decision") or spans["item"]
            dissent = _region(f"item-{index}-position-{number}", span, text, "Dissent")
            result.append(dissent)
            if position.get("party"):
                result.append(_attached(dissent, "party", "choices", [position["party"]]))
            result.append(_attached(dissent, "stance", "choices", [position["stance"]]))
            result.append(_attached(dissent, "members", "textarea", list(position.get("members") or [])))
            result.append(_attached(dissent, "dissent_span", "choices", ["rationale" if rationale else "context"]))
    return {"id": task_id, "data": {"text": text, "document": document["document"], "task": task_id,
                                    "review_reasons": reasons or []},
            "predictions": [{"model_version": _model_version(document), "result": result}]}


def _model_version(document: dict) -> str:
    used = sorted({v for item in document["items"] for k, v in (item.get("provenance") or {}).items()
                   if k in ("type", "topics", "segment")})
    return ", ".join(used) or "rules"


# ---------------------------------------------------------------------------------------- annotation → gold


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _parse_vote(line: str, where: str) -> dict:
    parts = [part.strip() for part in line.split("|")]
    if len(parts) != 5:
        raise AnnotationError(f"{where}: a vote line needs 5 fields (motion | for | against | abstain | result): {line!r}")
    motion, for_, against, abstain, result = parts
    if result not in RESULT.__args__:
        raise AnnotationError(f"{where}: vote result {result!r} is not one of {', '.join(RESULT.__args__)}")
    return {"motion": motion or None, "for": _split(for_), "against": _split(against), "abstain": _split(abstain),
            "result": result}


def task_to_gold(task: dict, vocabulary: Vocabulary) -> dict:
    """The gold document of an annotated task: the latest submitted annotation, or, for a task nobody has
    annotated yet, its prediction taken as accepted. Spans become verbatim text; everything is validated."""
    text, where = task["data"]["text"], task["data"].get("task") or str(task.get("id"))
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    # a Label Studio export lists predictions by id only; the task file holds them whole
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    chosen = (max(annotations, key=lambda a: (a.get("updated_at") or "", a.get("id") or 0)) if annotations
              else (predictions or [None])[0])
    if chosen is None:
        raise AnnotationError(f"{where}: not annotated yet (and no pre-annotation in the file)")
    regions: dict[str, dict] = {}
    attached: dict[str, dict[str, list[str]]] = {}
    meta: dict[str, list[str]] = {}
    for result in chosen["result"]:
        value, name = result["value"], result["from_name"]
        if result["type"] == "labels":
            regions[result["id"]] = {"start": value["start"], "end": value["end"], "label": value["labels"][0]}
        elif name in METADATA:
            meta[name] = list(value.get("text") or [])
        else:
            attached.setdefault(result["id"], {})[name] = list(value.get("choices") or value.get("text") or [])
    items = sorted(((rid, r) for rid, r in regions.items() if r["label"] == "Item"), key=lambda pair: pair[1]["start"])
    gold_items = []
    for position_in_document, (rid, region) in enumerate(items, start=1):
        fields = attached.get(rid, {})
        inside = [(other_id, other) for other_id, other in regions.items() if other_id != rid
                  and region["start"] <= other["start"] and other["end"] <= region["end"]]
        item_where = f"{where}, item at characters {region['start']}–{region['end']}"
        number = (fields.get("number") or [""])[0].strip()
        if number and not number.isdigit():
            raise AnnotationError(f"{item_where}: number {number!r} is not a whole number")
        verbatim = {}
        for field, label in SPAN_LABELS.items():
            spans = sorted((o for _, o in inside if o["label"] == label), key=lambda o: o["start"])
            verbatim[field] = squash(" ".join(text[o["start"]:o["end"]] for o in spans)) or None
        gold = {"number": int(number) if number else position_in_document, "title": verbatim["title"],
                "title_prefix": (fields.get("title_prefix") or [None])[0], "case_number": verbatim["case_number"],
                "type": (fields.get("type") or [None])[0]}
        gold["topics"] = [t for t in vocabulary.topics if t in fields.get("topics", [])]
        unknown = set(fields.get("topics", [])) - set(vocabulary.topics)
        if unknown:
            raise AnnotationError(f"{item_where}: topics {sorted(unknown)} are not in configs/topics.yaml")
        gold["recommendation"], gold["decision"] = verbatim["recommendation"], verbatim["decision"]
        gold["outcome"] = (fields.get("outcome") or [None])[0]
        gold["votes"] = [_parse_vote(line, item_where) for line in fields.get("votes", []) if line.strip()]
        gold["positions"] = []
        for other_id, other in sorted(inside, key=lambda pair: pair[1]["start"]):
            if other["label"] != "Dissent":
                continue
            detail = attached.get(other_id, {})
            party = (detail.get("party") or [None])[0]
            if party is not None and party not in vocabulary.parties:
                raise AnnotationError(f"{item_where}: party {party!r} is not a letter of configs/dissent.yaml")
            stance = (detail.get("stance") or [None])[0]
            if stance not in STANCE.__args__:
                raise AnnotationError(f"{item_where}: a dissent region needs a stance ({', '.join(STANCE.__args__)})")
            is_rationale = (detail.get("dissent_span") or ["rationale"])[0] == "rationale"
            gold["positions"].append({"party": party, "members": [m.strip() for m in detail.get("members", []) if m.strip()],
                                      "stance": stance,
                                      "rationale": squash(text[other["start"]:other["end"]]) if is_rationale else None})
        for vote in gold["votes"]:
            letters = {*vote["for"], *vote["against"], *vote["abstain"]} - set(vocabulary.parties)
            if letters:
                raise AnnotationError(f"{item_where}: vote letters {sorted(letters)} are not in configs/dissent.yaml")
        gold["summary"] = " ".join(fields.get("summary", [])).strip()
        if len(gold["summary"].split()) > MAX_SUMMARY_WORDS:
            raise AnnotationError(f"{item_where}: summary has {len(gold['summary'].split())} words "
                                  f"(at most {MAX_SUMMARY_WORDS})")
        gold_items.append(gold)
    document = {"document": task["data"]["document"]}
    for name in METADATA:
        lines = [line.strip() for line in meta.get(name, []) if line.strip()]
        document[name] = lines if name in ("attendees", "absent") else (lines[0] if lines else None)
    document["items"] = gold_items
    problem = contract_problem(document)
    if problem:
        raise AnnotationError(f"{where}: {problem}")
    return document
