"""Coverage on minutes without gold (../shared/unlabeled): every page should give items or a clear reason why
not. Runs the default pipeline (shipped models) over the folder and prints the share of pages with items, of
items with a title, an Indstilling and a decision, per municipality and overall, and the reasons pages failed.
Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.coverage ../shared/unlabeled [--no-models]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.run.batch import run_batch


def coverage(folder: Path, models: bool = True) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        run_batch([folder], out, 2, False, models, "local")
        records = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
        # the folder's INDEX.tsv says which pages show a Beslutning section (file → yes/no)
        index = folder / "INDEX.tsv"
        shows_decision = {}
        if index.is_file():
            rows = [line.split("\t") for line in index.read_text(encoding="utf-8").splitlines()]
            column = rows[0].index("has_beslutning") if "has_beslutning" in rows[0] else None
            shows_decision = {r[0]: r[column] == "yes" for r in rows[1:] if column is not None}
        pages = defaultdict(Counter)
        failures = Counter()
        for record in records:
            municipality = Path(record["input"]).stem.rsplit("_", 1)[0]
            counts = pages[municipality]
            counts["pages"] += 1
            if record["status"] != "written":
                failures[record["error"].split(": ", 1)[-1][:80]] += 1
                continue
            document = json.loads((out / record["output"]).read_text(encoding="utf-8"))
            items = document["items"]
            counts["pages with items"] += bool(items)
            counts["items"] += len(items)
            counts["with title"] += sum(bool(i.get("title")) for i in items)
            counts["with Indstilling"] += sum(bool(i.get("recommendation")) for i in items)
            counts["with decision"] += sum(bool(i.get("decision")) for i in items)
            counts["with votes or positions"] += sum(bool(i.get("votes") or i.get("positions")) for i in items)
            if shows_decision.get(Path(record["input"]).name):
                counts["pages showing a decision"] += 1
                counts["of those, with a decision found"] += any(i.get("decision") for i in items)
    total = sum(pages.values(), Counter())
    return {"overall": dict(total), "per_municipality": {k: dict(v) for k, v in sorted(pages.items())},
            "failures": dict(failures)}


def share(counts: dict, key: str, of: str) -> str:
    return f"{counts.get(key, 0) / counts[of]:.2f}" if counts.get(of) else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--no-models", action="store_true")
    args = parser.parse_args()
    result = coverage(args.folder, not args.no_models)
    print(f"{'municipality':22s} {'pages':>5s} {'w/items':>7s} {'items':>5s} {'title':>5s} {'indst.':>6s} {'decis.':>6s}")
    for name, c in list(result["per_municipality"].items()) + [("OVERALL", result["overall"])]:
        print(f"{name:22s} {c['pages']:5d} {share(c, 'pages with items', 'pages'):>7s} {c.get('items', 0):5d} "
              f"{share(c, 'with title', 'items'):>5s} {share(c, 'with Indstilling', 'items'):>6s} "
              f"{share(c, 'with decision', 'items'):>6s}")
    o = result["overall"]
    print(f"\npages {o['pages']}, with items {o.get('pages with items', 0)}, failed {sum(result['failures'].values())}; "
          f"items {o.get('items', 0)}: title {share(o, 'with title', 'items')}, Indstilling "
          f"{share(o, 'with Indstilling', 'items')}, decision {share(o, 'with decision', 'items')}, votes or positions "
          f"{o.get('with votes or positions', 0)}; pages showing a Beslutning section (INDEX.tsv) "
          f"{o.get('pages showing a decision', 0)}, a decision found on {o.get('of those, with a decision found', 0)}")
    for reason, n in result["failures"].items():
        print(f"  failed ({n}): {reason}")


if __name__ == "__main__":
    main()
