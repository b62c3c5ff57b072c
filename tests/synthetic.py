"""Synthetic Danish agenda items with known type and topics, for training tests (our own text)."""

from __future__ import annotations

import random

SUBJECTS = ["busruten", "skolebyggeriet", "budgettet", "handleplanen", "lokalplanen", "takstbladet", "indsatsen",
            "strategien", "udbuddet", "puljen", "aftalen", "projektet", "tilbuddet", "kvalitetsstandarden"]
TOPIC_PHRASES = {
    "integration": ["flygtninge og familiesammenførte", "integrationsprogrammet for nyankomne", "IGU-forløb for flygtninge"],
    "sygedagpenge": ["sygedagpenge og sygemeldte borgere", "jobafklaringsforløb for sygemeldte", "sygefravær og fastholdelse"],
    "frikommune": ["frikommuneforsøget", "ansøgning om paragraffritagelse i frikommunenetværket", "velfærdsaftalen"],
}


def make_items(n: int, seed: int) -> list[tuple[str, str, list[str]]]:
    """(type text "title\\n\\nIndstilling: ...\\n\\nBeslutning: ...", type, topics)."""
    rng = random.Random(seed)
    items = []
    for _ in range(n):
        subject = rng.choice(SUBJECTS)
        topics = [t for t in TOPIC_PHRASES if rng.random() < 0.25]
        about = " og ".join(rng.choice(TOPIC_PHRASES[t]) for t in topics) or rng.choice(SUBJECTS)
        kind = rng.choice(["Beslutning", "Orientering", "Drøftelse", "Meddelelser"])
        if kind == "Beslutning":
            text = (f"Godkendelse af {subject}\n\nIndstilling: at {subject} om {about} godkendes.\n\n"
                    f"Beslutning: Godkendt.")
        elif kind == "Orientering":
            text = (f"Status på {subject}\n\nIndstilling: at orienteringen om {about} tages til efterretning.\n\n"
                    f"Beslutning: Taget til efterretning.")
        elif kind == "Drøftelse":
            text = (f"Temadrøftelse af {subject}\n\nIndstilling: at udvalget drøfter {subject} og {about}.\n\n"
                    f"Beslutning: Drøftet.")
        else:
            text = f"Meddelelser\n\nIndstilling: \n\nBeslutning: Formanden orienterede om {about}."
        items.append((text, kind, topics))
    return items
