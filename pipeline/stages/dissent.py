"""Dissent: votes and dissenting positions from an item's decision text.

Built on a blank Danish spaCy pipeline: PhraseMatchers over the configured party lexicon and vote
wordings (configs/dissent.yaml), a Matcher for "(X)" ballot letters, party groups and person names.
Each sentence is read in order with a motion in focus (the Indstilling, or a counter-proposal once one is
put forward): its actors go to the side its cue names; results close the motion; rationales are the text
after a reason phrase, or a following sentence that the dissenting party opens.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field


def _import_spacy_without_torch():
    """spaCy imports thinc, which imports torch whenever it is installed (a second and hundreds of MB per
    worker), though a blank tokenizer and matchers never use it: torch is hidden while spaCy is imported, unless
    it is loaded already (a transformers model configured). A later `import torch` works as before."""
    import importlib.abc

    if "torch" in sys.modules or "spacy" in sys.modules:
        return

    class HideTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ModuleNotFoundError(f"No module named {name!r} (hidden while spaCy is imported)", name=name)
            return None

    finder = HideTorch()
    sys.meta_path.insert(0, finder)
    try:
        import spacy  # noqa: F401
    finally:
        sys.meta_path.remove(finder)


_import_spacy_without_torch()
import spacy  # noqa: E402
from spacy.matcher import Matcher, PhraseMatcher  # noqa: E402
from spacy.util import filter_spans  # noqa: E402

from pipeline.config import DissentConfig
from pipeline.records import Position, Span, Vote, squash
from pipeline.stages.text import sentences

_NOT_NAMES = {"byrådet", "udvalget", "kommunalbestyrelsen", "regionsrådet", "beslutning", "indstilling", "sagen",
              "forvaltningen", "administrationen", "direktionen", "borgmesteren", "formanden", "kommune", "kommunes",
              "den", "det", "de", "et", "en", "for", "imod", "og", "ændringsforslag", "forslag", "forslaget"}
_TITLES = {"udvalgsformand", "formand", "formanden", "næstformand", "borgmester", "borgmesteren", "rådmand",
           "byrådsmedlem", "rådmanden", "medlem", "udvalgsmedlem", "kommunalbestyrelsesmedlem"}
_NAME_TOKEN = r"^(?:[A-ZÆØÅ][a-zæøåéü'’-]+(?:-[A-ZÆØÅ][a-zæøåéü'’-]+)?|[A-ZÆØÅ]\.)$"
_SEPARATORS = {",", "og", "samt", "&", "+"}
# A list of ballot letters: "A, C og F", "A+C+I+O+V".
_LIST_SEPARATOR = r"(?:\s*(?:,|og|samt|\+)\s*)"


@dataclass(eq=False)
class Actor:
    """A party or members named in a sentence; `reason` is the span of the rationale they gave."""

    party: str | None
    members: list[str]
    start: int  # character offsets within the sentence
    end: int
    reason: Span | None = None


SIDES = ("for", "against", "abstain")


@dataclass
class Motion:
    name: str
    sides: dict[str, list[Actor]] = field(default_factory=lambda: {side: [] for side in SIDES})
    proposers: list[Actor] = field(default_factory=list)  # who put a counter-proposal forward (not a vote)
    result: str | None = None
    tally: dict[str, int] = field(default_factory=dict)

    def letters(self, side: str) -> list[str]:
        return list(dict.fromkeys(a.party for a in self.sides[side] if a.party))


@dataclass
class Sentence:
    start: int  # offsets into the document text
    end: int
    doc: object  # spacy Doc of text[start:end]
    cues: list[tuple[str, int, int]]  # (label, first token, end token), longest matches only
    actors: list[Actor]

    def first(self, *labels: str) -> tuple[str, int, int] | None:
        return next((cue for cue in self.cues if cue[0] in labels), None)

    def has(self, label: str) -> bool:
        return any(cue[0] == label for cue in self.cues)


@dataclass
class Reading:
    """What has been read of one decision so far: the motions, the motion in focus (a counter-proposal
    once one is put forward, until its result), reservations, and dissenters still owing a reason."""

    main: Motion = field(default_factory=lambda: Motion("indstillingen"))
    motions: list[Motion] = field(default_factory=list)
    focus: Motion | None = None
    reservations: list[Actor] = field(default_factory=list)
    awaiting_reason: list[Actor] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    listing: str | None = None  # a side label alone on its line ("For stemte:"): its actors follow, a line each

    def __post_init__(self) -> None:
        self.motions.append(self.main)
        self.focus = self.main

    def motion_for(self, sentence: Sentence) -> Motion:
        if sentence.has("cue:recommendation_reference"):
            return self.main
        if sentence.has("cue:proposal_reference") and self.focus is self.main:
            return self.motions[-1]
        return self.focus

    def put_to_vote(self, sentence: Sentence) -> None:
        """"Formanden satte indstillingen til afstemning": what follows votes on the motion the sentence
        names (the recommendation, or the latest counter-proposal still without a result)."""
        open_proposals = [m for m in self.motions[1:] if m.result is None]
        first = min((c[1] for c in sentence.cues if c[0] in ("cue:recommendation_reference", "cue:proposal_reference")),
                    default=None)
        names_recommendation = sentence.first("cue:recommendation_reference")
        if names_recommendation and names_recommendation[1] == first:
            self.focus = self.main
        elif open_proposals:
            self.focus = open_proposals[-1]


@dataclass
class Roster:
    """Member → usual party letter, learnt from every "Name (X)" in the document; conflicts are kept."""

    letters: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)


class DissentExtractor:
    def __init__(self, config: DissentConfig):
        self.config = config
        self.nlp = spacy.blank("da")
        vocab = self.nlp.vocab
        # abbreviations ("KF", "RV", "(S)") are read as letters and reported as the letter they stand for
        self.abbreviation_letter = {a: l for a, l in config.abbreviations.items() if a not in config.local_lists}
        self.letters = set(config.letters) | set(config.ballot_letters) | set(self.abbreviation_letter)
        self.party_names = PhraseMatcher(vocab)  # case-sensitive: "Venstre" the party, not "venstre"
        for letter, names in config.letters.items():
            # the genitive too: "Venstres byrådsgruppe", "Socialistisk Folkepartis"
            forms = names + [n + "s" for n in names if not n.endswith("s")]
            forms += [a for a, l in self.abbreviation_letter.items() if l == letter and len(a) > 1]
            self.party_names.add(letter, [self.nlp.make_doc(n) for n in dict.fromkeys(forms)])
        self.cues = PhraseMatcher(vocab, attr="LOWER")
        cue_groups = config.cues.model_dump(by_alias=True)
        for name, phrases in cue_groups.items():
            self.cues.add(f"cue:{name}", [self.nlp.make_doc(p) for p in phrases])
        for name, phrases in config.results.items():
            self.cues.add(f"result:{name}", [self.nlp.make_doc(p) for p in phrases])
        for name, phrases in config.label_sides.items():
            self.cues.add(f"label:{name}", [self.nlp.make_doc(p) for p in phrases])
        self.intros = PhraseMatcher(vocab, attr="LOWER")
        self.intros.add("intro", [self.nlp.make_doc(p) for p in config.rationale_intros])
        self.intros.add("kept", [self.nlp.make_doc(p) for p in config.rationale_intros_kept])
        self.matcher = Matcher(vocab)
        letters = sorted(self.letters)
        groups = config.group_words
        self.matcher.add("paren", [[{"ORTH": "("}, {"ORTH": {"IN": letters}}, {"ORTH": ")"}]])
        self.matcher.add("unaffiliated", [[{"ORTH": "("}, {"LOWER": {"IN": config.unaffiliated_words}}, {"ORTH": ")"}]])
        letter = "^(?:" + "|".join(map(re.escape, letters)) + r")\.?$"
        self.letter_re = re.compile(letter)
        listed = "^(?:" + "|".join(map(re.escape, letters + groups + [",", "og", "samt"])) + r")\.?$"
        self.matcher.add(  # "Gruppe A og C", "Gruppe F og gruppe Ø", "byrådsgruppe Ø"
            "group",
            [[{"LOWER": {"IN": groups}}, {"TEXT": {"REGEX": letter}}, {"TEXT": {"REGEX": listed}, "OP": "*"}]],
            greedy="LONGEST",
        )
        self.matcher.add("name", [[{"TEXT": {"REGEX": _NAME_TOKEN}, "OP": "{2,5}"}]], greedy="LONGEST")
        letter_alt = "|".join(map(re.escape, sorted(letters, key=len, reverse=True)))  # "SF" before "S"
        self.letter_token_re = re.compile(rf"(?<![A-ZÆØÅ])(?:{letter_alt})(?![A-ZÆØÅ])")
        letter_list = rf"(?:{letter_alt})(?:{_LIST_SEPARATOR}(?:{letter_alt}))*"
        self.paren_list_re = re.compile(rf"\(({letter_list})\)")
        self.paren_re = re.compile(rf"\((?:{letter_alt})\)")
        self.name_comma_letter_re = re.compile(
            rf"\((?P<name>[A-ZÆØÅ][\w'’-]+(?:\s+[A-ZÆØÅ][\w'’.-]*){{1,3}}),\s*(?P<letter>{letter_alt})\)")
        self.opening_letters_re = re.compile(rf"^({letter_list})(?=\s+(?!og\b|samt\b)[a-zæøå])")
        intros = "|".join(map(re.escape, config.letter_list_intros))
        verbs = "|".join(map(re.escape, config.stance_verbs))
        self.introduced_letters_re = re.compile(
            rf"\b(?:{intros}),?\s+({letter_list})\b|(?<![\w.(])({letter_list})(?=\s+(?:{verbs})\b)"
        )
        # "9 stemmer for (A, B, F, Ø) og 2 imod (O, V)": a side word right before a parenthesised list
        self.side_paren_re = re.compile(
            rf"\b(?P<side>for|imod|undlod(?: at stemme)?|hverken for eller imod|blank[t]?)\s*\((?P<letters>{letter_list})\)",
            re.I,
        )
        # "For stemte 3 (C) Imod stemte 10 (A, F, O, V) Undlod at stemme 2 (T)": each side with its count
        self.side_count_re = re.compile(
            rf"\b(?P<side>for(?: stemte)?|stemte for|imod(?: stemte)?|stemte imod|undlod(?: at stemme)?|hverken for eller imod)"
            rf"\s*:?\s*\d+\s*\((?P<letters>{letter_list})\)", re.I)
        # "C-gruppen", "V-gruppen": a party group named by its letter
        self.hyphen_group_re = re.compile(rf"(?<![\w-])({letter_alt})-(?:gruppen|gruppe|listen)\b")
        splits = "|".join(map(re.escape, config.party_split))
        self.split_re = re.compile(
            rf"\b({letter_alt})\s+(?:{splits})\s+(?:ét|et|en|to|tre|\d+)\s+medlem\w*(?P<rest>[^.]*)", re.I
        )
        self.reservation_objects = {word.lower() for word in config.reservation_objects}
        self.tally_re = re.compile(r"(\d+)\s+stemmer?\s+(?:for\s+)?mod\s+(\d+)", re.I)
        self.tally_any_re = re.compile(r"\d+\s+stemmer?\b|\d+\s+(?:for|imod)\b", re.I)
        self.title_proposer_re = re.compile(
            r"^(?:(?:Medlems|Beslutnings|Ændrings)?[Ff]orslag|Initiativ)\s+fra\s+(?P<who>.+?)(?:\s+om\b|\s*:|$)"
            r"|\(stillet af\s+(?P<who2>[^)]+\)?)\)")
        # a cheap look for reservation wordings before a text is read sentence by sentence
        self.reservation_re = re.compile("|".join(re.escape(p) for p in config.cues.reservation), re.I)
        # ... and for anything that can make a vote or a position: a side, reservation, proposal, majority or
        # ballot wording, or a side label with its colon ("For (5):"); a decision without one has none
        cue_phrases = [p for name in ("against", "abstain", "for_", "reservation", "proposal", "majority", "minority",
                                      "ballot") for p in getattr(config.cues, name)]
        label_phrases = [p for phrases in config.label_sides.values() for p in phrases]
        self.worth_reading_re = re.compile(
            rf"\b(?:{'|'.join(map(re.escape, sorted(cue_phrases, key=len, reverse=True)))})\b"
            rf"|\b(?:{'|'.join(map(re.escape, sorted(label_phrases, key=len, reverse=True)))})\s*(?:\(\d+\)|\d+)?\s*:",
            re.I)
        self.tally_against_re = re.compile(r"(\d+)\s+stemmer?\s+imod\s+og\s+(\d+)\s+for\b", re.I)
        # a sentence that records a vote: a side label opening it ("For stemte", "Imod:"), or a voting phrase
        labels = [p for side in ("for", "against") for p in config.label_sides.get(side, [])]
        voting = [p for side in ("for_", "against", "abstain") for p in getattr(config.cues, side)
                  if "stem" in p or "undl" in p]
        self.vote_record_re = re.compile(
            rf"^\s*(?:{'|'.join(map(re.escape, sorted(labels, key=len, reverse=True)))})\s*(?::|\s+stemte\b)"
            rf"|\b(?:{'|'.join(map(re.escape, sorted(voting, key=len, reverse=True)))})\b", re.I | re.M)

    def letter(self, party: str | None) -> str | None:
        """The ballot letter of a party as printed (an abbreviation such as "KF" stands for C)."""
        return self.abbreviation_letter.get(party, party) if party else party

    # ------------------------------------------------------------------ roster

    def roster(self, text: str) -> Roster:
        counts: dict[str, Counter] = defaultdict(Counter)
        for start, end in sentences(text, 0, len(text)):
            if not self.paren_re.search(text, start, end):  # only "Name (X)" sentences teach the roster
                continue
            doc = self.nlp.make_doc(text[start:end])
            for actor in self._member_groups(doc, Roster()):
                for member in actor.members:
                    if actor.party:
                        counts[member][actor.party] += 1
        roster = Roster()
        for member, letters in counts.items():
            roster.letters[member] = self.letter(letters.most_common(1)[0][0])
            if len(letters) > 1:
                roster.conflicts[member] = [letter for letter, _ in letters.most_common()]
        return roster

    # ------------------------------------------------------------------ extraction

    def extract(
        self, text: str, span: Span, roster: Roster, outcome: str | None = None, title: str | None = None
    ) -> tuple[list[Vote], list[Position], list[str]]:
        """Votes and positions of the decision at text[span]; rationale spans are offsets into `text`. The item's
        `title` names the proposer where the item is a party's proposal ("Forslag fra V om ...")."""
        reading = Reading()
        reading.main.proposers = self.proposers_in_title(title, roster)
        units = sentences(text, *span)
        for index, (start, end) in enumerate(units):
            sentence = self._sentence(text, start, end, roster, reading.warnings)
            following = units[index + 1 :]
            motion = reading.motion_for(sentence)
            if reading.listing:
                if sentence.actors and not sentence.cues and self._only_actors(sentence):
                    motion.sides[reading.listing].extend(sentence.actors)
                    continue
                reading.listing = None
            if not sentence.actors and sentence.has("cue:proposal_reference") and self.tally_any_re.search(
                    sentence.doc.text) and any(c[0].startswith("result:") for c in sentence.cues):
                # "Et ændringsforslag om ... blev forkastet med 3 stemmer for og 12 imod": a vote, no parties
                reading.motions.append(Motion(f"?: {' '.join(sentence.doc.text.split()[:10])}"))
                motion = reading.motions[-1]
            proposing = sentence.has("cue:proposal") and bool(sentence.actors)
            if proposing:
                reading.focus = motion = self._propose(sentence)
                reading.motions.append(motion)
            elif sentence.has("cue:ballot"):
                reading.put_to_vote(sentence)
                motion = reading.focus
            tally = self.tally_re.search(sentence.doc.text)
            if tally:
                motion.tally = {"for": int(tally.group(1)), "against": int(tally.group(2))}
            tally = self.tally_against_re.search(sentence.doc.text)  # "forkastet med 29 stemmer imod og 1 for"
            if tally:
                motion.tally = {"for": int(tally.group(2)), "against": int(tally.group(1))}
            listed = self._listed(sentence, roster, reading.warnings)
            reservation = sentence.first("cue:reservation")
            side_cue = sentence.first("cue:for", "cue:against", "cue:abstain")
            waiting = {a.party for a in reading.awaiting_reason}
            # "Enhedslisten mener ... og stemmer derfor imod": a dissenter that opens the sentence, alone in
            # it, gives its reason (restating its vote does not make a new one)
            opens_reason = bool(
                sentence.actors and sentence.actors[0].start == 0 and {a.party for a in sentence.actors} <= waiting
                and not listed and not sentence.first("cue:proposal", "cue:majority", "cue:minority")
            )
            if proposing:
                pass  # "2 ændringsforslag fra Ø blev forkastet": only the result below is read
            elif opens_reason:
                opener = sentence.actors[0]
                intro = self._intro_after(sentence.doc, opener.end)
                reason_start = start + (intro if intro is not None else 0)
                reason_end = self._reason_end(end, following, text, {opener.party}, roster)
                for actor in reading.awaiting_reason:
                    if actor.party == opener.party and reason_end > reason_start:
                        actor.reason = (reason_start, reason_end)
                reading.awaiting_reason = []
            elif listed:
                reading.awaiting_reason = []
                if len(listed) == 1 and not listed[0][1]:
                    reading.listing = listed[0][0]
                for side, actors in listed:
                    motion.sides[side].extend(actors)
                    for split_side, actor in self._split_exceptions(sentence, side):
                        motion.sides[split_side].append(actor)
                    if side != "for":
                        reading.awaiting_reason.extend(actors)
            elif reservation and sentence.actors:
                cue_start = sentence.doc[reservation[1]].idx
                subjects = [a for a in sentence.actors if a.end <= cue_start] or sentence.actors
                self._give_reason(sentence, reservation[2], subjects, text, following, roster, reservation=True)
                reading.reservations.extend(subjects)
                reading.awaiting_reason = [a for a in subjects if a.reason is None]
            elif side_cue and sentence.actors:
                reading.awaiting_reason = []
                for side, cue_end, subjects in self._clauses(sentence):
                    motion.sides[side].extend(subjects)
                    if side != "for":
                        self._give_reason(sentence, cue_end, subjects, text, following, roster)
                        reading.awaiting_reason.extend(a for a in subjects if a.reason is None)
            result = next((label.split(":")[1] for label, _, _ in sentence.cues if label.startswith("result:")), None)
            if result and motion.result is None:  # the first result of a motion is its result; later ones
                motion.result = result           # ("Borgmesterens forslag blev godkendt") speak of another
        return self._votes(reading.motions, outcome), self._positions(reading, text), reading.warnings

    def recorded_vote(self, text: str, item: Span) -> Span | None:
        """Where an item without a decision section records a vote: from its first sentence that reads like a
        vote record ("For stemte ...", "A og C stemte imod") to the item's end."""
        if not self.vote_record_re.search(text, *item):
            return None
        for start, end in sentences(text, *item):
            if self.vote_record_re.match(text, start) or self.vote_record_re.search(text[start:end][:300]):
                return start, item[1]
        return None

    def reservations(self, text: str, item: Span, decision: Span | None, roster: Roster) -> list[Position]:
        """Reservations ("tog forbehold", "kan ikke tiltræde") in an item's text outside its decision: the
        earlier treatments an item quotes record them too."""
        parts = [(item[0], decision[0]), (decision[1], item[1])] if decision else [item]
        found = []
        for start, end in parts:
            if end > start and self.reservation_re.search(text, start, end):
                _, positions, _ = self.extract(text, (start, end), roster)
                found += [p for p in positions if p.stance == "reservation"]
        return found

    def _sentence(self, text: str, start: int, end: int, roster: Roster, warnings: list[str]) -> Sentence:
        doc = self.nlp.make_doc(text[start:end])
        return Sentence(start, end, doc, self._cues(doc), self._actors(doc, roster, warnings))

    def _clauses(self, sentence: Sentence) -> list[tuple[str, int, list[Actor]]]:
        """(side, cue end token, actors) per side cue: "A og F stemte for, mens Venstre stemte imod" has two.
        A cue's actors are those since the previous cue; the first cue takes those after it if none precede."""
        cues = [c for c in sentence.cues if c[0] in ("cue:for", "cue:against", "cue:abstain")]
        clauses = []
        previous_end = 0
        for index, (label, start, end) in enumerate(cues):
            cue_start = sentence.doc[start].idx
            subjects = [a for a in sentence.actors if previous_end <= a.start and a.end <= cue_start]
            voting = re.search(r"stem|undl", " ".join(t.lower_ for t in sentence.doc[start:end]))
            if not subjects and index == 0 and voting:  # "stemte imod: A og F"; not "Byrådet godkendte X (B)"
                next_start = sentence.doc[cues[1][1]].idx if len(cues) > 1 else len(sentence.doc.text)
                subjects = [a for a in sentence.actors if cue_start <= a.start < next_start]
            if subjects:
                clauses.append((label.split(":")[1], end, subjects))
            previous_end = sentence.doc[end - 1].idx + len(sentence.doc[end - 1].text)
        return clauses

    def _propose(self, sentence: Sentence) -> Motion:
        """A counter-proposal: its name is the proposer and what was proposed. Proposing it is not voting for it:
        its proposers hold a minority_proposal position only once it is rejected."""
        cue_end = sentence.first("cue:proposal")[2]
        description = squash(sentence.doc[cue_end:].text)
        description = re.sub(r"^(?:om,?\s*(?:at\s*)?|følgende:?\s*)", "", description).rstrip(".")
        description = re.split(r"\s*\b(?:til|under) afstemning\b", description)[0]
        cue_start = sentence.doc[sentence.first("cue:proposal")[1]].idx
        proposers = [a for a in sentence.actors if a.end <= cue_start] or sentence.actors[:1]
        first = proposers[0]
        proposer = first.party or (first.members[0] if first.members else "?")
        motion = Motion(f"{proposer}: {' '.join(description.split()[:14]) or 'forslag'}")
        motion.proposers.extend(a for a in proposers if a.party or a.members)
        return motion

    def _listed(self, sentence: Sentence, roster: Roster, warnings: list[str]) -> list[tuple[str, list[Actor]]]:
        """"For: A og C." / "Imod stemte: O." / "For forslaget stemte Per (C)" / "For: 7 (A, F) Imod: 2 (V)":
        a side named first, or labelled with a colon, lists that side's actors up to the next label (bare
        letters count here); "9 stemmer for (A, B) og 2 imod (O)" likewise."""
        doc = sentence.doc
        counted = list(self.side_count_re.finditer(doc.text))
        if len({m.group("side").lower().split()[0] for m in counted}) >= 2 or (counted and counted[0].start() == 0):
            listed = []
            for m in counted:
                word = m.group("side").lower()
                side = "for" if "for" in word.split() and "hverken" not in word else "against" if "imod" in word else "abstain"
                letters = self.letter_token_re.findall(m.group("letters"))
                listed.append((side, [Actor(letter, [], m.start("letters"), m.end("letters")) for letter in letters]))
            return listed
        labels = {}
        for label, start, end in sentence.cues:
            kind, _, side = label.partition(":")
            after = end  # "For (20): A, B og F", "Imod stemte 5: V": a count between the label and its colon
            while after < len(doc) and after - end < 4 and (doc[after].text in ("(", ")") or doc[after].like_num):
                after += 1
            colon = after < len(doc) and doc[after].text in (":", "):")
            if side in SIDES and ((kind == "label" and colon) or (kind == "cue" and start == 0)):
                labels.setdefault(start, (side, start, (after + 1) if colon else end))
        labels = list(labels.values())
        if len(labels) == 1 and labels[0][2] >= len(doc):
            return [(labels[0][0], [])]  # "For stemte:" alone on its line: the actors follow on the next lines
        listed = []
        for index, (side, start, end) in enumerate(labels):
            stop = labels[index + 1][1] if index + 1 < len(labels) else len(doc)
            actors = self._letters_after(doc[:stop].as_doc(), end, roster, warnings) if end < stop else []
            if index == 0 and not actors and len(labels) == 1:
                actors = [a for a in sentence.actors if a.start >= doc[start].idx]
            if actors:
                listed.append((side, actors))
        if not listed:
            for m in self.side_paren_re.finditer(doc.text):
                word = m.group("side").lower()
                side = "for" if word == "for" else "against" if word == "imod" else "abstain"
                letters = self.letter_token_re.findall(m.group("letters"))
                listed.append((side, [Actor(letter, [], m.start(), m.end()) for letter in letters]))
        return listed

    def _only_actors(self, sentence: Sentence) -> bool:
        """A line that names actors and nothing else ("Radikale Venstre", "Anna Holm (A)", "A, B og F")."""
        rest = sentence.doc.text
        for actor in sorted(sentence.actors, key=lambda a: -a.start):
            rest = rest[: actor.start] + rest[actor.end :]
        return not re.sub(r"[\s,.;:()]|\b(?:og|samt)\b|\d", "", rest)

    def proposers_in_title(self, title: str | None, roster: Roster) -> list[Actor]:
        """"Forslag fra V om ...", "Medlemsforslag fra Enhedslisten: ...", "... (stillet af Anna Holm (A))": who
        proposed what the item decides."""
        m = self.title_proposer_re.search(title or "")
        if not m:
            return []
        doc = self.nlp.make_doc(m.group("who") or m.group("who2"))
        actors = self._actors(doc, roster, [])
        bare = [Actor(t.text, [], t.idx, t.idx + len(t.text)) for t in doc if self.letter_re.match(t.text)
                and not any(a.start <= t.idx < a.end for a in actors)]
        return actors + bare

    def _split_exceptions(self, sentence: Sentence, side: str) -> list[tuple[str, Actor]]:
        """"C med undtagelse af ét medlem, der stemte imod": the exception sides with its clause (else abstains)."""
        found = []
        for split in self.split_re.finditer(sentence.doc.text):
            rest = self.nlp.make_doc(split.group("rest"))
            exception = next(
                (label.split(":")[1] for label, _, _ in self._cues(rest) if label in ("cue:against", "cue:abstain", "cue:for")),
                "abstain",
            )
            if exception != side:
                found.append((exception, Actor(split.group(1), [], split.start(), split.end())))
        return found

    # ------------------------------------------------------------------ pieces

    def _cues(self, doc) -> list[tuple[str, int, int]]:
        # side labels count where they open the sentence or are followed by a colon ("... Imod: O.")
        matches = [
            m for m in self.cues(doc)
            if not self.nlp.vocab.strings[m[0]].startswith("label:") or m[1] == 0 or (m[2] < len(doc) and doc[m[2]].text == ":")
        ]
        labels: dict[tuple[int, int], set[str]] = defaultdict(set)
        for match_id, s, e in matches:
            labels[(s, e)].add(self.nlp.vocab.strings[match_id])
        kept = filter_spans([doc[s:e] for _, s, e in matches])
        found = [(label, sp.start, sp.end) for sp in kept for label in labels[(sp.start, sp.end)]]
        return sorted(found, key=lambda cue: (cue[1], cue[0]))

    def _member_groups(self, doc, roster: Roster) -> list[Actor]:
        """"Kristina Kongsted, Mahmed Naghdiani og Michael Lagoni (C)": every name of a list takes the
        letter printed after the list; names with no letter take their usual one from the roster."""
        matches = [(self.nlp.vocab.strings[m], s, e) for m, s, e in self.matcher(doc)]
        names = filter_spans([doc[s:e] for label, s, e in matches if label == "name"])
        markers = {s: (label, doc[s + 1].text) for label, s, e in matches if label in ("paren", "unaffiliated")}
        actors: list[Actor] = []
        pending: list = []
        last_end = 0
        for name in sorted(names, key=lambda sp: sp.start):
            tokens = [t for t in name if t.lower_ not in _TITLES]
            if len(tokens) < 2:
                continue
            between = doc[last_end : name.start]
            if pending and not all(t.lower_ in _SEPARATORS for t in between):
                actors.extend(self._unlettered(pending, roster))
                pending = []
            pending.append(doc[tokens[0].i : name.end])
            last_end = name.end
            marker = markers.get(name.end)
            if marker:
                kind, letter = marker
                printed = letter if kind == "paren" else None
                members = [p.text for p in pending]
                for member in members:
                    # the member's usual letter wins over a misprint ("Marlene Harpsøe (Ø)" for O)
                    party = roster.letters.get(member, printed) if printed else None
                    actors.append(Actor(party, [member],
                                        pending[0].start_char, doc[name.end + 2].idx + 1))
                pending = []
                last_end = name.end + 3
        actors.extend(self._unlettered(pending, roster))
        return actors

    def _unlettered(self, names: list, roster: Roster) -> list[Actor]:
        """Names printed without a letter: their usual letter from the document's member lists, else a member
        of no known party (a position with party null)."""
        return [Actor(roster.letters.get(n.text), [n.text], n.start_char, n.end_char) for n in names
                if n.text in roster.letters or self._person_name(n)]

    def _person_name(self, span) -> bool:
        """Two or three capitalised words that are no party, heading or committee ("Anna Oosterhof")."""
        words = [t.text for t in span]
        return 2 <= len(words) <= 4 and not any(w.lower() in _NOT_NAMES or w in self.letters for w in words) \
            and not self.party_names(span.as_doc())

    def _actors(self, doc, roster: Roster, warnings: list[str]) -> list[Actor]:
        # "(Anna Holm, A)": a member with the letter after a comma, inside the parentheses
        named = [Actor(self.letter(m.group("letter")), [m.group("name")], m.start(), m.end())
                 for m in self.name_comma_letter_re.finditer(doc.text)]
        actors = [a for a in self._member_groups(doc, roster)
                  if not any(n.start <= a.start < n.end for n in named)] + named
        for member in [m for a in actors for m in a.members]:
            if member in roster.conflicts and member not in " ".join(warnings):
                warnings.append(f"{member} is printed with letters {roster.conflicts[member]}; "
                                f"the usual letter {roster.letters[member]} is used")
        taken = [(a.start, a.end) for a in actors]
        # "Et mindretal (F og Ø)": letters in parentheses that follow no name
        for m in self.paren_list_re.finditer(doc.text):
            if not any(a <= m.start() < b for a, b in taken):
                for letter in self.letter_token_re.findall(m.group(1)):
                    actors.append(Actor(letter, [], m.start(), m.end()))
        # "Ø ønsker ført til protokol": a sentence that opens with bare letters
        opening = self.opening_letters_re.match(doc.text)
        seen = set()
        for m in ([opening] if opening else []) + list(self.introduced_letters_re.finditer(doc.text)):
            group = next(g for g in range(1, (m.lastindex or 1) + 1) if m.group(g))
            if m.span(group) in seen:
                continue
            seen.add(m.span(group))
            for letter in self.letter_token_re.findall(m.group(group)):
                actors.append(Actor(letter, [], m.start(group), m.end(group)))
        for m in self.hyphen_group_re.finditer(doc.text):
            if not any(a <= m.start() < b for a, b in taken):
                actors.append(Actor(m.group(1), [], m.start(), m.end()))
        letter_of = {(s, e): self.nlp.vocab.strings[m] for m, s, e in self.party_names(doc)}
        for span in filter_spans([doc[s:e] for s, e in letter_of]):  # "Radikale Venstre" over "Venstre"
            if not any(a <= span.start_char < b for a, b in taken):
                actors.append(Actor(letter_of[(span.start, span.end)], [], span.start_char, span.end_char))
        for match_id, s, e in self.matcher(doc):
            if self.nlp.vocab.strings[match_id] == "group":
                span = doc[s:e]
                for token in span:
                    if self.letter_re.match(token.text) and token.i > s:
                        actors.append(Actor(token.text.rstrip("."), [], span.start_char, span.end_char))
        return sorted(actors, key=lambda a: a.start)

    def _letters_after(self, doc, token_index: int, roster: Roster, warnings: list[str]) -> list[Actor]:
        """Actors listed after a label: "For: Gruppe A og C." or "Imod stemte: O, Ø.": bare letters count here."""
        rest = doc[token_index:]
        actors = [a for a in self._actors(rest.as_doc(), roster, warnings)]
        taken = [(a.start, a.end) for a in actors]
        base = rest.start_char
        bare = [Actor(t.text.rstrip("."), [], t.idx - base, t.idx - base + len(t.text)) for t in rest
                if self.letter_re.match(t.text) and not any(a <= t.idx - base < b for a, b in taken)]
        return sorted(actors + bare, key=lambda a: a.start)  # "A (9), Karin Friis Bach (B), C (10)"

    def _intro_after(self, doc, char_position: int, max_gap: int = 4) -> int | None:
        """Character offset where the reason starts, if a reason phrase follows within `max_gap` tokens."""
        for match_id, s, e in sorted(self.intros(doc), key=lambda m: (m[1], -m[2])):
            start_token = next((t.i for t in doc if t.idx >= char_position), len(doc))
            if start_token <= s <= start_token + max_gap:
                if self.nlp.vocab.strings[match_id] == "kept":  # "af hensyn til ...": the phrase is the reason
                    return doc[s].idx
                if e < len(doc):
                    return doc[e].idx
        return None

    def _give_reason(self, sentence: Sentence, cue_end_token: int, subjects: list[Actor], text: str,
                     following: list[Span], roster: Roster, reservation: bool = False) -> None:
        """The reason after "stemte imod med bemærkning om, at ..." (or "...til protokol: ...", or what a
        reservation is "for"), given to the sentence's subjects and running on through following sentences
        that name none but their parties."""
        doc = sentence.doc
        last = doc[cue_end_token - 1]
        start = self._intro_after(doc, last.idx + len(last.text))
        if start is None and cue_end_token + 1 < len(doc) and doc[cue_end_token].text == ":":
            start = doc[cue_end_token + 1].idx
        if start is None and reservation and cue_end_token + 1 < len(doc) and doc[cue_end_token].lower_ in self.reservation_objects:
            start = doc[cue_end_token + 1].idx  # "tager forbehold for de økonomiske konsekvenser"
        if start is None:
            return
        end = self._reason_end(sentence.end, following, text, {a.party for a in subjects}, roster)
        if end > sentence.start + start:
            for actor in subjects:
                actor.reason = (sentence.start + start, end)

    def _reason_end(self, end: int, following: list[Span], text: str, parties: set, roster: Roster) -> int:
        """A reason runs on through following sentences that name no other party and start no new vote."""
        stop_kinds = {"cue:proposal", "cue:majority", "cue:minority", "label:for", "label:against", "label:abstain"}
        for start, sentence_end in following:
            sentence = self._sentence(text, start, sentence_end, roster, [])
            kinds = {label for label, _, _ in sentence.cues}
            if (
                any(a.party not in parties for a in sentence.actors)
                or kinds & stop_kinds
                or any(k.startswith("result:") for k in kinds)
                or re.match(r"^Ad\s+\d", sentence.doc.text)
                or (not sentence.actors and kinds & {"cue:for", "cue:against", "cue:abstain", "cue:reservation"})
            ):
                break
            end = sentence_end
        return end

    def _votes(self, motions: list[Motion], outcome: str | None) -> list[Vote]:
        votes = []
        for motion in motions:
            if not any(motion.sides.values()) and (motion is motions[0] or motion.result is None):
                continue  # a proposal put forward but not voted on, or no vote recorded: no vote
            result = motion.result
            if result is None and motion.name == "indstillingen":
                result = {"approved": "adopted", "rejected": "rejected", "fell": "fell"}.get(outcome or "")
            if result is None and motion.sides["for"] and motion.tally:
                result = "adopted" if motion.tally["for"] > motion.tally["against"] else "rejected"
            if result is None and motion is not motions[0]:
                # no result printed: the named members' votes decide ("For: 4 members (...) Imod: 3 (...)")
                count = {side: sum(max(1, len(a.members)) for a in motion.sides[side]) for side in SIDES}
                if count["for"] != count["against"] and all(a.members for a in motion.sides["for"] + motion.sides["against"]):
                    result = "adopted" if count["for"] > count["against"] else "rejected"
                    motion.result = result
            sides = [list(dict.fromkeys(self.letter(p) for p in motion.letters(side))) for side in SIDES]
            vote = Vote(motion.name, *sides, result or "unknown")
            vote.tally = motion.tally or None
            votes.append(vote)
        return votes

    def _positions(self, reading: Reading, text: str) -> list[Position]:
        """The losing side of each motion relative to what was decided, abstentions and reservations; one
        position per (party, stance)."""
        found: dict[tuple[str | None, str], Position] = {}

        def add(actor: Actor, stance: str) -> None:
            party = self.letter(actor.party)
            position = found.setdefault((party, stance), Position(party, [], stance))
            position.members.extend(m for m in actor.members if m not in position.members)
            if actor.reason and position.rationale is None:
                position.rationale = squash(text[actor.reason[0] : actor.reason[1]])
                position.rationale_span = actor.reason

        for motion in reading.motions:
            if motion is reading.main:
                # rejected: those who backed the recommendation lost; adopted or fell (tie): those against it;
                # a party's own proposal that was rejected leaves it (and its backers) a minority proposal
                losers = "for" if motion.result == "rejected" else "against"
                stance = "minority_proposal" if motion.result == "rejected" and motion.proposers else "against"
                if stance == "minority_proposal":
                    for actor in motion.proposers:
                        add(actor, stance)
            elif motion.result == "adopted":
                losers, stance = "against", "against"
            elif motion.result in ("rejected", "fell"):
                losers, stance = "for", "minority_proposal"
                for actor in motion.proposers:
                    add(actor, stance)
            else:  # a proposal without a known result: nobody lost yet
                losers, stance = None, None
            for actor in motion.sides[losers] if losers else []:
                add(actor, stance)
            for actor in motion.sides["abstain"]:
                add(actor, "abstain")
        for actor in reading.reservations:
            add(actor, "reservation")
        return list(found.values())
