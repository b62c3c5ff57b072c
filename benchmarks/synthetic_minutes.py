"""Realistic synthetic minutes (our own text) in the layouts of real ones, for benchmarks and scale tests:
a Punkt layout with a table of contents, a web export with Sagsnr. blocks, and a PDF transcript with one line
per page. About 8,500 words and 8-20 items a meeting, like the real corpus.

    python -m benchmarks.synthetic_minutes OUT_DIR --documents 1000
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

COMMITTEES = ["Social- og Beskæftigelsesudvalget", "Teknik- og Miljøudvalget", "Børne- og Skoleudvalget",
              "Økonomiudvalget", "Kultur- og Fritidsudvalget", "Sundheds- og Ældreudvalget"]
MUNICIPALITIES = ["Favrskov", "Randers", "Vejle", "Svendborg", "Gladsaxe", "Roskilde", "Holbæk", "Viborg"]
PEOPLE = ["Anna Holm", "Bent Sørensen", "Carla Nygaard", "Dennis Lund", "Eva Krogh", "Finn Ravn", "Gitte Bo",
          "Hans Mols", "Ida Lind", "Jens Thy"]
PARTIES = ["A", "V", "C", "F", "Ø", "O", "B"]
TOPICS = ["busruten", "skolebyggeriet", "budgettet", "handleplanen for sygefravær", "integrationsindsatsen for "
          "flygtninge", "lokalplanen", "takstbladet", "frikommuneforsøget", "udbuddet af rengøring", "puljen til "
          "foreninger", "kvalitetsstandarden for hjemmepleje", "beskæftigelsesplanen"]
FILLER = ("Forvaltningen har gennemgået området og vurderer, at indsatsen bør styrkes i de kommende år. "
          "Der er i perioden gennemført {n} samtaler med borgere, og tilfredsheden er steget fra {a} % til {b} %. "
          "Udgifterne udgør i alt {c} mio. kr., hvilket er inden for den afsatte ramme. "
          "Sagen har været drøftet med de relevante parter, som bakker op om forslaget. ")


def _case_text(rng: random.Random, words: int) -> str:
    parts = []
    while sum(len(p.split()) for p in parts) < words:
        parts.append(FILLER.format(n=rng.randint(10, 900), a=rng.randint(40, 70), b=rng.randint(71, 95),
                                   c=round(rng.uniform(0.5, 90), 1)))
    return "\n\n".join(parts)


def _item(rng: random.Random) -> dict:
    topic = rng.choice(TOPICS)
    kind = rng.choice(["Beslutning", "Orientering", "Beslutning", "Drøftelse"])
    recommendation = {"Beslutning": f"at {topic} godkendes.", "Orientering": "at orienteringen tages til efterretning.",
                      "Drøftelse": f"at udvalget drøfter {topic}."}[kind]
    if kind == "Beslutning" and rng.random() < 0.3:
        a, b = rng.sample(PEOPLE, 2)
        decision = (f"Et flertal, {a} ({rng.choice(PARTIES[:3])}), godkendte indstillingen. {b} (Ø) stemte imod med "
                    f"bemærkning om, at udgiften er for høj.")
    else:
        decision = {"Beslutning": "Godkendt.", "Orientering": "Taget til efterretning.", "Drøftelse": "Drøftet."}[kind]
    return {"kind": kind, "title": f"{'Status på' if kind == 'Orientering' else 'Ny ordning for'} {topic}",
            "case": f"{rng.randint(15, 24)}/{rng.randint(1000, 39999)}", "recommendation": recommendation,
            "decision": decision}


def punkt_layout(rng, municipality, committee, date, items, words_per_item) -> str:
    toc = "\n".join(f"{i['kind']}: {i['title']}.....\t{n + 2}" for n, i in enumerate(items))
    body = []
    for n, item in enumerate(items, start=1):
        body.append(f"Punkt {n}: {item['kind']}: {item['title']}\n\n{item['case']}\n\nSagsfremstilling\n\n"
                    f"{municipality} Kommune har arbejdet med sagen.\n\n{_case_text(rng, words_per_item)}\n\n"
                    f"Indstilling\n\nForvaltningen indstiller,\n\n{item['recommendation']}\n\n"
                    f"Beslutning i {committee} den {date}\n\n{item['decision']}\n\nFraværende:\n\nJens Thy")
    return (f"REFERAT {committee}\n\nMødedato {date}\n\nMødedeltagere {', '.join(PEOPLE[:6])}, Jens Thy (Afbud)\n\n"
            f"Indholdsfortegnelse\n\n{toc}\n\n" + "\n\n".join(body) + "\n")


def web_layout(rng, municipality, committee, date, items, words_per_item) -> str:
    blocks = []
    for item in items:
        paragraphs = "".join(f"<p>{p}</p>" for p in _case_text(rng, words_per_item).split("\n\n"))
        blocks.append(f"<div><p>Sagsnr.: {item['case']} Sagsbehandler: Ida Lind</p><h3>{item['title']}</h3>"
                      f"<h4>Sagsresume</h4><p>{municipality} Kommune har arbejdet med sagen.</p>{paragraphs}"
                      f"<h4>Indstilling</h4><p>Direktøren indstiller</p><p>{item['recommendation']}</p>"
                      f"<h4>Beslutning</h4><p>{item['decision']}</p></div>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Referat</title></head><body>"
            f"<p>Udvalg: {committee}<br>Mødedato: {date}</p>" + "".join(blocks) + "</body></html>\n")


def transcript_layout(rng, municipality, committee, date, items, words_per_item) -> str:
    short = committee.split()[-1]
    pages = [f"Referat {committee} Mødedato: {date} Medlemmer: " + " ".join(f"{p} ({rng.choice(PARTIES)})"
                                                                            for p in PEOPLE[:5])]
    for item in items:
        text = " ".join(_case_text(rng, words_per_item).split())
        pages.append(f"{short} Mødedato Side {item['kind']}sag: {item['title']} Åben sag Sagsnr.: Sagen afgøres i: "
                     f"Bilag: {item['case']} {short} Indledning {municipality} Kommune har arbejdet med sagen. {text} "
                     f"Indstilling Forvaltningen indstiller, {item['recommendation']} Beslutninger {short} den "
                     f"{item['decision']}")
    lines = [f"{n} {page}" for n, page in enumerate(pages, start=1)]
    return "Referat\n\nTranskript\n\n" + "\n\n".join(lines) + "\n"


LAYOUTS = {"punkt.txt": punkt_layout, "web.html": web_layout, "transcript.txt": transcript_layout}


def generate(out_dir: Path, documents: int, seed: int = 0, words: int = 8500, items: tuple[int, int] = (8, 20)) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    written = []
    for index in range(documents):
        n_items = rng.randint(*items)
        layout = list(LAYOUTS)[index % len(LAYOUTS)]
        date = f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.randint(2015, 2024)}"
        municipality, committee = rng.choice(MUNICIPALITIES), rng.choice(COMMITTEES)
        text = LAYOUTS[layout](rng, municipality, committee, date, [_item(rng) for _ in range(n_items)],
                               max(20, words // n_items))
        path = out_dir / f"{index:06d}_{layout}"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"{len(generate(args.out_dir, args.documents, args.seed))} documents in {args.out_dir}")
