"""Synthetic minutes in randomised layouts, with their gold: training data for the line labeller.

Each document draws its layout from independent choices that real publishing systems combine in many ways:
how an item heading is numbered (or not printed at all), where the case number stands, how section headings
look (alone, in capitals, with a colon, glued to their text, naming the committee and date), the order of
sections, page furniture between items, a table of contents, and where a crawled page was cut. Every text
is our own. The gold follows shared/gold/GUIDELINES.md, with the page conventions of shared/real (a page cut
before the Beslutning has decision null; an item cut right after its heading is not annotated), so the
documents go through the same line alignment (line_labels.py) as real gold.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

COMMITTEES = ["Byrådet", "Kommunalbestyrelsen", "Økonomiudvalget", "Teknik- og Miljøudvalget", "Børne- og Skoleudvalget",
              "Social- og Sundhedsudvalget", "Kultur- og Fritidsudvalget", "Beskæftigelsesudvalget", "Regionsrådet",
              "Udvalget for Klima og Natur", "Ældre- og Handicapudvalget", "Plan- og Boligudvalget"]
MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november",
          "december"]
WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag"]
FIRST = ["Anne", "Bo", "Camilla", "Dorte", "Erik", "Frederik", "Gurli", "Henrik", "Inger", "Jakob", "Karen", "Lars",
         "Mette", "Niels", "Ole", "Pia", "Rasmus", "Susanne", "Torben", "Ulla", "Vibeke"]
LAST = ["Andersen", "Bech", "Christiansen", "Dahl", "Eriksen", "Frost", "Gade", "Holm", "Iversen", "Juhl", "Kjær",
        "Lund", "Mortensen", "Nørgaard", "Overgaard", "Poulsen", "Riis", "Skov", "Thomsen", "Vestergaard"]
PARTIES = ["A", "B", "C", "D", "F", "I", "O", "V", "Ø", "Å"]
SUBJECTS = ["cykelstien langs Ringvejen", "den nye daginstitution i Nordbyen", "renovering af svømmehallen",
            "kvalitetsstandarder for hjemmeplejen", "trafiksikkerhedsplanen", "den lokale erhvervsstrategi",
            "udbud af vintertjeneste", "skolernes digitale strategi", "integrationsindsatsen for nyankomne",
            "sygefraværet i kommunens afdelinger", "velfærdsaftalen på ældreområdet", "klimahandleplanen",
            "takster for madservice", "boligsociale helhedsplaner", "biblioteksbetjeningen i landdistrikterne",
            "ungeindsatsen", "affaldsordningen for sommerhuse", "forsyningens investeringsplan",
            "frivillighedsstrategien", "beskæftigelsesplanen", "arealerne ved havnen", "spildevandsplanen"]
TITLES = ["Godkendelse af dagsorden", "Meddelelser", "Eventuelt", "Gensidig orientering", "Spørgetid for borgere",
          "Budgetopfølgning pr. 31. {month}", "Lokalplan nr. {n} for {subject} - endelig vedtagelse",
          "Orientering om {subject}", "Status på {subject}", "Drøftelse af {subject}", "Ansøgning om tilskud til {subject}",
          "Beslutning om {subject}", "Høring om {subject}", "Evaluering af {subject}", "Anlægsbevilling til {subject}",
          "Forslag fra {party} om {subject}", "Godkendelse af referat", "Dialogmøde om {subject}",
          "Temadrøftelse om {subject}", "Kommende sager"]
SENTENCES = [
    "Forvaltningen har i samarbejde med de berørte parter gennemgået området.",
    "Sagen blev senest behandlet på udvalgets møde i {month}.",
    "Der er i alt afsat {n} mio. kr. til formålet i budgettet.",
    "Administrationen vurderer, at indsatsen bør styrkes i de kommende år.",
    "Der har været afholdt {n} møder med borgere og foreninger om forslaget.",
    "Forslaget er udarbejdet på baggrund af de politiske drøftelser i foråret.",
    "Udgifterne holdes inden for den eksisterende ramme.",
    "Sagen har ingen personalemæssige konsekvenser.",
    "Der er indkommet {n} høringssvar, som er vedlagt som bilag.",
    "Projektet forventes afsluttet i løbet af {year}.",
    "Formålet er at sikre en mere sammenhængende indsats for borgerne.",
    "Tidsplanen fremgår af bilag {n}.",
]
OTHER_SECTIONS = ["Resumé", "Sagsfremstilling", "Baggrund", "Økonomi", "Økonomiske konsekvenser", "Retsgrundlag",
                  "Sagens kerne", "Beslutningstema", "Kompetence", "Høring", "Tidsplan", "Vurdering", "Lovgrundlag",
                  "Sagen afgøres af", "Sagsbeskrivelse", "Historik", "Beskrivelse", "Redegørelse"]
FURNITURE = ["Til toppen", "Kopier link til punktet - Print", "Udskriv", "Show video", "Tilbage til toppen",
             "Luk alle punkter", "Til indholdsfortegnelse"]
NAVIGATION = ["Skip til hovedindholdet", "Gå til sidens indhold", "Fold alle punkter", "Du er her: Forside / Politik",
              "Dagsordener og referater", "Abonnér", "Hent som fil", "Vælg", "Borger Erhverv Politik Kommunen"]


@dataclass
class _Item:
    number: int
    title: str
    case: str | None
    kind: str
    recommendation: str
    decision: str
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, body) of other sections
    closed: bool = False


class LayoutGenerator:
    """`documents(n)`: n (name, text, gold) triples, reproducible from the seed.

    With a `pool` of real gold items (title, type, recommendation, decision), items take their content from it:
    the same words in new layouts, so a model learns the layout rather than the words (`rerender`)."""

    def __init__(self, seed: int = 0, pool: list[dict] | None = None):
        self.seed = seed
        self.pool = [item for item in pool or [] if item.get("title")]

    def documents(self, n: int, prefix: str = "synthetic") -> list[tuple[str, str, dict]]:
        return [self.document(random.Random(self.seed * 100003 + i), f"{prefix}_{i:04d}") for i in range(n)]

    # -------------------------------------------------------------- content

    def _sentence(self, rng: random.Random) -> str:
        return rng.choice(SENTENCES).format(month=rng.choice(MONTHS), n=rng.randint(2, 90), year=rng.randint(2012, 2026))

    def _paragraph(self, rng: random.Random, lo: int = 1, hi: int = 4) -> str:
        return " ".join(self._sentence(rng) for _ in range(rng.randint(lo, hi)))

    def _person(self, rng: random.Random) -> str:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"

    def _item(self, rng: random.Random, number: int, committee: str, first: bool) -> _Item:
        if self.pool and rng.random() < 0.8:
            return self._real_item(rng, number, first)
        subject = rng.choice(SUBJECTS)
        title = "Godkendelse af dagsorden" if first and rng.random() < 0.6 else rng.choice(TITLES)
        title = title.format(subject=subject, n=rng.randint(10, 400), month=rng.choice(MONTHS), party=rng.choice(PARTIES))
        kind = ("Beslutning" if title.startswith(("Godkendelse", "Beslutning", "Lokalplan", "Anlæg", "Ansøgning", "Forslag"))
                else "Orientering" if title.startswith(("Orientering", "Status", "Evaluering", "Budget"))
                else "Drøftelse" if title.startswith(("Drøftelse", "Temadrøftelse", "Dialog"))
                else "Meddelelser" if title in ("Meddelelser", "Eventuelt", "Gensidig orientering", "Kommende sager")
                else rng.choice(["Beslutning", "Orientering"]))
        rec = {"Beslutning": f"at {subject} godkendes", "Orientering": "at orienteringen tages til efterretning",
               "Drøftelse": f"at udvalget drøfter {subject}", "Meddelelser": "at meddelelserne tages til efterretning"}[kind]
        if kind == "Beslutning" and rng.random() < 0.3:
            rec = f"1. at {subject} godkendes, og\n2. at udgiften finansieres af puljen"
        decision = {"Beslutning": rng.choice(["Godkendt.", "Indstillingen blev godkendt.", "Tiltrådt.",
                                              "Anbefales over for Byrådet.", "Godkendt som indstillet."]),
                    "Orientering": rng.choice(["Taget til efterretning.", "Orienteringen blev taget til efterretning."]),
                    "Drøftelse": rng.choice(["Drøftet.", "Udvalget drøftede sagen."]),
                    "Meddelelser": rng.choice(["Taget til efterretning.", "Formanden orienterede om mødet med KL."])}[kind]
        if kind == "Beslutning" and rng.random() < 0.25:
            a, b = rng.sample(PARTIES, 2)
            decision = (f"For stemte {rng.randint(5, 20)} ({a}). Imod stemte {rng.randint(1, 4)} ({b}). "
                        f"Indstillingen blev godkendt.")
        case = self._case(rng)
        others = rng.sample(OTHER_SECTIONS, rng.randint(1, 4))
        return _Item(number, title, case, kind, rec, decision, [(h, self._paragraph(rng)) for h in others],
                     closed=not first and rng.random() < 0.08)

    def _real_item(self, rng: random.Random, number: int, first: bool) -> _Item:
        """An item whose title, Indstilling and decision are a real gold item's (one line per clause)."""
        real = rng.choice(self.pool)
        title = " ".join(real["title"].split())
        recommendation = " ".join((real.get("recommendation") or "at sagen godkendes.").split())
        clauses = [c.strip() for c in re.split(r"(?=\b\d\.\s*at\s)|(?<=[,;])\s+(?=at\s)", recommendation) if c.strip()]
        decision = " ".join((real.get("decision") or rng.choice(["Godkendt.", "Taget til efterretning."])).split())
        kind = real.get("type") or "Beslutning"
        others = rng.sample(OTHER_SECTIONS, rng.randint(1, 3))
        return _Item(number, title, None if rng.random() < 0.2 else self._case(rng), kind,
                     "\n".join(clauses).rstrip("."), decision, [(h, self._paragraph(rng)) for h in others],
                     closed=not first and rng.random() < 0.05)

    def _case(self, rng: random.Random) -> str:
        return rng.choice([f"{rng.randint(10, 25)}/{rng.randint(100, 39999)}",
                           f"{rng.randint(0, 88):02d}.{rng.randint(0, 30):02d}.{rng.randint(0, 20):02d}-"
                           f"{rng.choice('AGPK')}{rng.randint(0, 99):02d}-{rng.randint(1, 40)}-{rng.randint(10, 25)}",
                           f"{rng.randint(300, 799)}-{rng.randint(2010, 2025)}-{rng.randint(1000, 99999)}"])

    # -------------------------------------------------------------- layout

    def document(self, rng: random.Random, name: str) -> tuple[str, str, dict]:
        committee = rng.choice(COMMITTEES)
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2010, 2026)
        iso = f"{year}-{month:02d}-{day:02d}"
        numeric = f"{day:02d}-{month:02d}-{year}"
        date_text = rng.choice([f"{rng.choice(WEEKDAYS).capitalize()} den {day}. {MONTHS[month - 1]} {year}",
                                f"{numeric} kl. {rng.randint(8, 19)}:00", f"{day}. {MONTHS[month - 1]} {year}",
                                f"Mødedato: {numeric}", f"{day:02d}.{month:02d}.{year} kl. 16:30"])
        numbering = rng.choice(["dot", "punkt", "pkt", "nr_dash", "colon", "bullet_alone", "glued", "sag_nr_below",
                                "none", "status_num", "case_first", "untitled", "dot", "punkt", "num_case", "double",
                                "pkt_alone"])
        heading_case = rng.choice(["plain", "plain", "upper_colon", "colon", "bullet", "fold"])
        # a protocol prints no decision heading: the result sentence, and For/Imod lines where there was a vote
        decision_style = rng.choice(["plain", "committee_date", "meeting_colon", "glued", "committee_date", "colon_text",
                                     "none", "protocol"])
        rec_word = rng.choice(["Indstilling", "Indstilling", "Forslag", "Administrationens indstilling", "Indstillinger",
                               "Administrativ indstilling"])
        case_style = rng.choice(["Sagsnr.: {c}", "Sagsid.: {c}", "Sag {c}", "{c}", "Sagsnummer: {c}",
                                 "Sagsnr.: {c}   J.nr.: 00.01.00", "none"])
        order = rng.choice(["case_first", "decision_first"])
        # some systems publish items without sections (a title and what was decided), or only the decisions
        content = rng.choice(["full"] * 6 + ["bare", "decisions_only"])
        if content == "decisions_only":
            numbering, decision_style, case_style = "untitled", rng.choice(["plain", "committee_date"]), "none"
        status = rng.choice([None, None, "Åben", "Åbent punkt", "Åben sag"])
        furniture = rng.choice([None, None] + FURNITURE)
        prefix_types = rng.random() < 0.15
        members = [f"{self._person(rng)} ({rng.choice(PARTIES)})" for _ in range(rng.randint(3, 9))]
        absent = rng.sample(members, rng.randint(0, 2))

        lines: list[str] = [f"SOURCE: https://www.example-kommune.dk/dagsorden/{name}"]
        lines += rng.sample(NAVIGATION, rng.randint(0, 3))
        lines += [rng.choice(["Referat", "Beslutningsprotokol", f"Referat {committee} {numeric}", f"{committee} - {numeric}"])]
        header = [f"Udvalg: {committee}" if rng.random() < 0.5 else committee, date_text]
        if rng.random() < 0.7:
            if rng.random() < 0.5:
                header.append("Medlemmer: " + ", ".join(members))
            else:
                header.append(rng.choice(["Deltagere", "Medlemmer", "Mødedeltagere"]))
                header += [f"{'• ' if rng.random() < 0.3 else ''}{m}" for m in members]
            if absent:
                header.append(f"{rng.choice(['Afbud', 'Fraværende', 'Afbud fra'])}: " + ", ".join(absent))
        lines += header
        n_items = rng.randint(2, 8)
        first_number = rng.choice([1, 1, rng.randint(2, 400)])
        items = [self._item(rng, first_number + k, committee, k == 0) for k in range(n_items)]
        if numbering not in ("untitled", "case_first") and rng.random() < 0.3:
            lines.append(rng.choice(["Indholdsfortegnelse", "Dagsordenspunkter", "Sagsoversigt", "PUNKTER"]))
            for item in items:
                lines.append(self._heading_line(rng, numbering, item, toc=True))
        tagged: list[tuple[str, str, int | None]] = [(line, "header", None) for line in lines]
        for index, item in enumerate(items):
            tagged += [(line, role, index) for line, role in self._item_lines(
                rng, item, numbering, heading_case, decision_style, rec_word, case_style, order, status, furniture,
                committee, numeric, prefix_types, content)]
        tagged = self._cut(rng, tagged)
        gold = self._gold(name, tagged, items, committee, iso, numbering == "untitled", prefix_types,
                          case_in_title=numbering == "num_case")
        if rng.random() < 0.2:
            page_header = rng.choice([None, f"{committee} {numeric}", f"{committee} den {day}. {MONTHS[month - 1]} {year} Side:"])
            tagged = self._transcript(rng, tagged, page_header)
        text = "\n".join(line for line, _, _ in tagged) + "\n"
        return name, text, gold

    def _heading_line(self, rng: random.Random, numbering: str, item: _Item, toc: bool = False) -> str:
        n, title = item.number, item.title + (" (Lukket)" if item.closed else "")
        return {"dot": f"{n}. {title}", "punkt": f"Punkt {n}{rng.choice([':', ''])} {title}", "pkt": f"Pkt. {n} {title}",
                "nr_dash": f"Nr.{n} - {title}", "colon": f"{n} : {title}", "bullet_alone": f"{n}. {title}",
                "glued": f"{n}{title}", "sag_nr_below": title, "none": title, "status_num": f"åbent {n} {title}",
                "case_first": title, "untitled": title, "num_case": f"{n}. {title} ({item.case})",
                "double": f"{n}.  {n}. {title}", "pkt_alone": title}[numbering] if not toc else (
            f"{'• ' if rng.random() < 0.3 else ''}{n}. {title}")

    def _section_heading(self, word: str, style: str) -> str:
        return {"plain": word, "upper_colon": word.upper() + ":", "colon": word + ":", "bullet": "• " + word,
                "fold": "fold dette punkt ind " + word}[style]

    def _item_lines(self, rng, item: _Item, numbering, heading_case, decision_style, rec_word, case_style, order,
                    status, furniture, committee, numeric, prefix_types, content="full") -> list[tuple[str, str]]:
        """The item's lines, each with its role: title, case, rec (its clauses), dec (its text) or other."""
        out: list[tuple[str, str]] = []
        case_line = case_style.format(c=item.case) if case_style != "none" else None
        title = item.title + (" (Lukket)" if item.closed else "")
        if prefix_types:
            title = f"{item.kind if item.kind != 'Meddelelser' else 'Orientering'}: {title}"
        if numbering == "case_first" and case_line:
            out += [(case_line, "case"), (title, "title")]
        elif numbering == "bullet_alone":
            out += [(f"• {item.number}", "other"), (title, "title")]
        elif numbering == "sag_nr_below":
            out += [(title, "title"), (f"Sag nr. {item.number}", "other")]
        elif numbering == "pkt_alone":  # the number alone on its line, the title on the next
            out += [(rng.choice([f"Pkt. {item.number}", f"Punkt {item.number}", f"{item.number}."]), "other"),
                    (title, "title")]
        elif numbering != "untitled":
            plain = item.title + (" (Lukket)" if item.closed else "")
            out.append((self._heading_line(rng, numbering, item).replace(plain, title), "title"))
        if out and out[-1][1] == "title" and len(out[-1][0]) > 45 and rng.random() < 0.25:
            # a long title wrapped over two lines
            line = out.pop()[0]
            cut = line.rfind(" ", 0, len(line) // 2 + 10)
            if cut > 10:
                out += [(line[:cut], "title"), (line[cut + 1 :], "title")]
            else:
                out.append((line, "title"))
        if item.closed:
            return out
        if status:
            out.insert(0 if numbering == "untitled" else len(out), (status, "other"))
        if case_line and numbering != "case_first":
            out.append((case_line, "case"))
        decision_heading = {
            "plain": self._section_heading("Beslutning", heading_case),
            "committee_date": f"Beslutning i {committee} den {numeric}",
            "meeting_colon": f"{committee}s møde den {numeric}:" if not committee.endswith("et") else f"{committee} den {numeric}:",
            "glued": "Beslutning", "colon_text": "Beslutning:", "none": "", "protocol": "",
        }[decision_style]
        decision = [(decision_heading, "other"), (item.decision, "dec")]
        if decision_style == "none":
            decision = [(item.decision, "dec")]
        elif decision_style == "protocol":
            decision = [(line, "dec") for line in self._protocol(rng, item)]
        elif decision_style == "glued":
            decision = [("Beslutning" + item.decision, "dec")]
        elif decision_style == "colon_text":
            decision = [("Beslutning: " + item.decision, "dec")]
        if rng.random() < 0.25:
            decision.append((f"{rng.choice(['Fraværende', 'Afbud', 'Ikke til stede'])}: {self._person(rng)}", "other"))
        if content == "bare":  # the title, then what was decided, without headings
            return out + [(item.decision, "dec")] + ([(self._sentence(rng), "other")] if rng.random() < 0.5 else [])
        if content == "decisions_only":
            return decision
        leads = ["Forvaltningen indstiller,", "Direktionen indstiller til udvalget,", None]
        lead = rng.choice(leads + (["Administrationen indstiller, at"] if "\n" not in item.recommendation else []))
        recommendation = [(self._section_heading(rec_word, heading_case), "other")] + ([(lead, "other")] if lead else [])
        clauses = item.recommendation.split("\n")
        if lead and lead.endswith(", at"):
            recommendation[-1] = (lead + " " + clauses[0].removeprefix("at ") + ("." if len(clauses) == 1 else ""), "rec")
            clauses = clauses[1:]
        recommendation += [(c + ("." if k == len(clauses) - 1 else ""), "rec") for k, c in enumerate(clauses)]
        others = []
        for heading, body in item.sections:
            others += [(self._section_heading(heading, heading_case), "other"), (body, "other")]
        if order == "case_first":
            out += others + recommendation + decision
        else:
            out += others[:2] + recommendation + decision + others[2:]
        if furniture:
            out.append((furniture, "other"))
        return out

    def _protocol(self, rng: random.Random, item: _Item) -> list[str]:
        """A decision as a protocol records it, without a heading: a result sentence, a vote on its own lines."""
        if item.kind != "Beslutning" or rng.random() < 0.4:
            return [item.decision]
        a, b, c = rng.sample(PARTIES, 3)
        yes, no = rng.randint(12, 25), rng.randint(1, 8)
        result = rng.choice([f"Indstillingen blev godkendt med {yes} stemmer mod {no}.", "Indstillingen blev godkendt.",
                             f"Godkendt med {yes} stemmer for og {no} imod.", "Indstillingen blev tiltrådt."])
        sides = rng.choice([[f"For stemte: {a} og {b}", f"Imod stemte: {c}"],
                            [f"For: {yes} ({a}, {b})", f"Imod: {no} ({c})"],
                            [f"For stemte {yes} ({a}, {b}).", f"Imod stemte {no} ({c}).", "Undlod at stemme: 0."]])
        return [result] + sides if rng.random() < 0.5 else sides + [result]

    def _gold(self, name, tagged, items: list[_Item], committee, iso, untitled: bool, prefixed: bool,
              case_in_title: bool = False) -> dict:
        """Gold of what is on the page: an item is annotated when more than its heading is visible (or it is
        closed); a field cut off is null, a text cut inside keeps its visible part."""
        gold_items = []
        for index, item in enumerate(items):
            roles = [(line, role) for line, role, owner in tagged if owner == index]
            visible = {role for _, role in roles}
            if not roles or (visible <= {"title"} and not item.closed):
                continue
            has_title = "title" in visible and not untitled

            def joined(role: str) -> str | None:
                parts = [line for line, r in roles if r == role]
                if not parts:
                    return None
                text = " ".join(" ".join(parts).split())
                return text.removeprefix("Beslutning: ").removeprefix("Beslutning")
            rec = joined("rec")
            if rec:
                rec = rec[rec.index("at "):] if "at " in rec else rec
            gold_items.append({
                "number": item.number, "title": (item.title + (" (Lukket)" if item.closed else "")) if has_title else None,
                "title_prefix": None, "case_number": item.case if "case" in visible or (case_in_title and has_title) else None,
                "type": item.kind,
                "topics": [], "recommendation": rec, "decision": joined("dec"), "outcome": None, "votes": None,
                "positions": None, "summary": None,
            })
        return {"document": f"{name}.txt", "municipality": None, "committee": committee, "meeting_date": iso,
                "attendees": None, "absent": None, "items": gold_items}

    def _transcript(self, rng: random.Random, tagged: list[tuple[str, str, int | None]],
                    header: str | None = None) -> list[tuple[str, str, int | None]]:
        """The same minutes as a PDF-to-text transcript (as document-sharing sites publish them): a few lines of
        site furniture, then each page as one line, "N <page text>". The roles of its lines carry over to the
        page line they end up in (the gold is found in it as it was in the lines)."""
        out = [tagged[0]] + [(line, "header", None) for line in ("Størrelse: px", "Starte visningen fra side:",
                                                                  "Transkript")]
        def page_line(number: int, page: list) -> tuple[str, str, int | None]:
            # a running page header ("Byrådet 3. maj 2023 Side: 2") where the PDF had one
            head = "" if not header else f"{header} {number} " if header.endswith("Side:") else f"{header} "
            return f"{number} {head}" + " ".join(l for l, _, _ in page), "page", page[0][2]

        page, number, budget = [], 1, rng.randint(400, 1400)
        for line, role, owner in tagged[1:]:
            page.append((line, role, owner))
            budget -= len(line) + 1
            if budget <= 0:
                out.append(page_line(number, page))
                page, number, budget = [], number + 1, rng.randint(400, 1400)
        if page:
            out.append(page_line(number, page))
        return out

    def _cut(self, rng: random.Random, tagged: list[tuple[str, str, int | None]]) -> list[tuple[str, str, int | None]]:
        """Most crawled pages stop after 1,200-3,500 characters (inside a line); some start inside an item."""
        if rng.random() < 0.15:
            inside = [k for k, (_, role, owner) in enumerate(tagged) if owner == 0 and role in ("other", "rec")]
            if inside:
                start = rng.choice(inside)
                tagged = tagged[:1] + [(line, "header" if owner is None else role, owner) for line, role, owner in tagged[start:]
                                       if owner is not None or False]
        if rng.random() < 0.6:
            budget = rng.randint(1200, 3500)
            kept = []
            for line, role, owner in tagged:
                if budget <= 0:
                    break
                if len(line) + 1 > budget:
                    line = line[: max(1, budget)].rstrip()
                kept.append((line, role, owner))
                budget -= len(line) + 1
            tagged = kept
        return tagged
