"""Dissent: votes and dissenting positions from an item's decision text.

Built on a blank Danish spaCy pipeline: PhraseMatchers over the configured party lexicon and vote
wordings (configs/dissent.yaml), a Matcher for "(X)" ballot letters, party groups and person names.
Each sentence is read in order with a motion in focus (the Indstilling, or a counter-proposal once one is
put forward): its actors go to the side its cue names; results close the motion; rationales are the text
after a reason phrase, or a following sentence that the dissenting party opens.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.util import filter_spans

from .config import DissentConfig
from .records import Position, Span, Vote, squash
from .text import sentences

_TITLES = {"udvalgsformand", "formand", "formanden", "næstformand", "borgmester", "borgmesteren", "rådmand",
           "byrådsmedlem", "rådmanden", "medlem", "udvalgsmedlem", "kommunalbestyrelsesmedlem"}
_NAME_TOKEN = r"^(?:[A-ZÆØÅ][a-zæøåéü'’-]+(?:-[A-ZÆØÅ][a-zæøåéü'’-]+)?|[A-ZÆØÅ]\.)$"
_SEPARATORS = {",", "og", "samt", "&", "+"}


@dataclass
class Actor:
    party: str | None
    members: list[str]
    start: int  # character offsets within the sentence
    end: int


@dataclass
class Motion:
    name: str
    sides: dict[str, list[Actor]] = field(default_factory=lambda: {"for": [], "against": [], "abstain": []})
    result: str | None = None
    tally: dict[str, int] = field(default_factory=dict)

    def letters(self, side: str) -> list[str]:
        return list(dict.fromkeys(a.party for a in self.sides[side] if a.party))


@dataclass
class Roster:
    """Member → usual party letter, learnt from every "Name (X)" in the document; conflicts are kept."""

    letters: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)

    def resolve(self, name: str, printed: str | None) -> str | None:
        usual = self.letters.get(name)
        return usual or printed


class DissentExtractor:
    def __init__(self, config: DissentConfig):
        self.config = config
        self.nlp = spacy.blank("da")
        vocab = self.nlp.vocab
        self.letters = set(config.letters)
        self.party_names = PhraseMatcher(vocab)  # case-sensitive: "Venstre" the party, not "venstre"
        for letter, names in config.letters.items():
            self.party_names.add(letter, [self.nlp.make_doc(n) for n in names])
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
        self.tally_re = re.compile(r"(\d+)\s+stemmer?\s+(?:for\s+)?mod\s+(\d+)", re.I)

    # ------------------------------------------------------------------ roster

    def roster(self, text: str) -> Roster:
        counts: dict[str, Counter] = defaultdict(Counter)
        for start, end in sentences(text, 0, len(text)):
            doc = self.nlp.make_doc(text[start:end])
            for actor in self._member_groups(doc, Roster()):
                for member in actor.members:
                    if actor.party:
                        counts[member][actor.party] += 1
        roster = Roster()
        for member, letters in counts.items():
            roster.letters[member] = letters.most_common(1)[0][0]
            if len(letters) > 1:
                roster.conflicts[member] = [letter for letter, _ in letters.most_common()]
        return roster

    # ------------------------------------------------------------------ extraction

    def extract(self, text: str, span: Span, roster: Roster, outcome: str | None = None) -> tuple[list[Vote], list[Position], list[str]]:
        """Votes and positions of the decision at text[span]; rationale spans are offsets into `text`."""
        units = sentences(text, *span)
        main = Motion("indstillingen")
        motions = [main]
        focus = main
        stances: list[tuple[str, Actor, Span | None]] = []  # (stance, actor, rationale span)
        reservations: list[tuple[Actor, Span | None]] = []
        warnings: list[str] = []
        previous_rationale: list[int] = []  # stances (or reservations) still waiting for their reason
        previous_kind = "stance"
        for index, (s, e) in enumerate(units):
            doc = self.nlp.make_doc(text[s:e])
            cues = self._cues(doc)
            actors = self._actors(doc, roster, warnings)
            kinds = {label for label, _, _ in cues}
            refers_to_proposal = "cue:proposal_reference" in kinds and "cue:proposal" not in kinds
            refers_to_main = "cue:recommendation_reference" in kinds
            motion = main if refers_to_main else (motions[-1] if (refers_to_proposal or focus is not main) else main)

            if "cue:proposal" in kinds and actors:
                cue_end = next(end for label, _, end in cues if label == "cue:proposal")
                description = squash(doc[cue_end:].text)
                description = re.sub(r"^(?:om,?\s*(?:at\s*)?|følgende:?\s*)", "", description).rstrip(".")
                proposer = actors[0].party or (actors[0].members[0] if actors[0].members else "?")
                motion = Motion(f"{proposer}: {' '.join(description.split()[:14])}")
                motion.sides["for"].extend(a for a in actors if a.party or a.members)
                motions.append(motion)
                focus = motion
                continue

            label = next(((label, end) for label, start, end in cues if label.startswith("label:") and start == 0
                          and end < len(doc) and doc[end].text == ":"), None)
            side_cue = next(((label, start, end) for label, start, end in cues
                             if label in ("cue:for", "cue:against", "cue:abstain")), None)
            reservation = next(((start, end) for label, start, end in cues if label == "cue:reservation"), None)
            result = next((label.split(":")[1] for label, _, _ in cues if label.startswith("result:")), None)
            tally = self.tally_re.search(doc.text)
            if tally:
                motion.tally = {"for": int(tally.group(1)), "against": int(tally.group(2))}

            if label:
                side = label[0].split(":")[1]
                listed = self._letters_after(doc, label[1] + 1, roster, warnings) or actors
                motion.sides[side].extend(listed)
                first = len(stances)
                for actor in listed:
                    stances.append((side, actor, None))
                previous_rationale = list(range(first, len(stances))) if side != "for" else previous_rationale
                previous_kind = "stance"
            elif reservation and actors:
                subjects = [a for a in actors if a.end <= doc[reservation[0]].idx] or actors
                rationale = self._rationale(doc, reservation[1], s, units, index, text, subjects, roster, warnings)
                for actor in subjects:
                    reservations.append((actor, rationale))
                previous_rationale = [len(reservations) - 1] if rationale is None else []
                previous_kind = "reservation"
            elif side_cue and actors:
                side = side_cue[0].split(":")[1]
                cue_start = doc[side_cue[1]].idx
                subjects = [a for a in actors if a.end <= cue_start] or [a for a in actors if a.start >= cue_start]
                motion.sides[side].extend(subjects)
                rationale = None
                if side != "for":
                    rationale = self._rationale(doc, side_cue[2], s, units, index, text, subjects, roster, warnings)
                first = len(stances)
                for actor in subjects:
                    stances.append((side, actor, rationale if len(subjects) == 1 else None))
                previous_rationale = list(range(first, len(stances))) if rationale is None else []
                previous_kind = "stance"
            elif actors and actors[0].start == 0 and previous_rationale:
                # "Enhedslisten mener ..." / "Gruppe F med henvisning til, at ...": a dissenter gives its reason.
                opener = actors[0]
                intro = self._intro_after(doc, opener.end)
                start = intro if intro is not None else 0
                end_char = self._continue_rationale(units, index, text, opener, roster, warnings)
                rationale = (s + start, end_char) if end_char > s + start else None
                pool = stances if previous_kind == "stance" else [(None, a, r) for a, r in reservations]
                for i in previous_rationale:
                    stance, actor, _ = pool[i]
                    if actor.party == opener.party and rationale:
                        if previous_kind == "stance":
                            stances[i] = (stance, actor, rationale)
                        else:
                            reservations[i] = (actor, rationale)
                previous_rationale = []
            if result:
                motion.result = result
                if motion is not main:
                    focus = main
        return self._votes(motions, outcome), self._positions(motions, stances, reservations, text), warnings

    # ------------------------------------------------------------------ pieces

    def _cues(self, doc) -> list[tuple[str, int, int]]:
        # side labels ("For:", "Imod stemte:") only count where they open the sentence
        matches = [m for m in self.cues(doc) if m[1] == 0 or not self.nlp.vocab.strings[m[0]].startswith("label:")]
        labels: dict[tuple[int, int], set[str]] = defaultdict(set)
        for match_id, s, e in matches:
            labels[(s, e)].add(self.nlp.vocab.strings[match_id])
        kept = filter_spans([doc[s:e] for _, s, e in matches])
        return sorted((label, sp.start, sp.end) for sp in kept for label in labels[(sp.start, sp.end)])

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
                    actors.append(Actor(roster.resolve(member, printed) if printed else None, [member],
                                        pending[0].start_char, doc[name.end + 2].idx + 1))
                pending = []
                last_end = name.end + 3
        actors.extend(self._unlettered(pending, roster))
        return actors

    def _unlettered(self, names: list, roster: Roster) -> list[Actor]:
        return [Actor(roster.letters.get(n.text), [n.text], n.start_char, n.end_char) for n in names
                if n.text in roster.letters]

    def _actors(self, doc, roster: Roster, warnings: list[str]) -> list[Actor]:
        actors = self._member_groups(doc, roster)
        for member in [m for a in actors for m in a.members]:
            if member in roster.conflicts and member not in " ".join(warnings):
                warnings.append(f"{member} is printed with letters {roster.conflicts[member]}; "
                                f"the usual letter {roster.letters[member]} is used")
        taken = [(a.start, a.end) for a in actors]
        for match_id, s, e in self.party_names(doc):
            span = doc[s:e]
            if not any(a <= span.start_char < b for a, b in taken):
                actors.append(Actor(self.nlp.vocab.strings[match_id], [], span.start_char, span.end_char))
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
        if actors:
            return actors
        return [Actor(t.text.rstrip("."), [], t.idx, t.idx + len(t.text)) for t in rest if self.letter_re.match(t.text)]

    def _intro_after(self, doc, char_position: int, max_gap: int = 4) -> int | None:
        """Character offset where the reason starts, if a reason phrase follows within `max_gap` tokens."""
        for _, s, e in sorted(self.intros(doc), key=lambda m: (m[1], -m[2])):
            start_token = next((t.i for t in doc if t.idx >= char_position), len(doc))
            if start_token <= s <= start_token + max_gap:
                if e < len(doc):
                    return doc[e].idx
        return None

    def _rationale(self, doc, cue_end_token: int, sentence_start: int, units, index, text, subjects, roster, warnings) -> Span | None:
        cue_end_char = doc[cue_end_token - 1].idx + len(doc[cue_end_token - 1].text)
        start = self._intro_after(doc, cue_end_char)
        if start is None and cue_end_token < len(doc) and doc[cue_end_token].text == ":":
            start = doc[cue_end_token + 1].idx if cue_end_token + 1 < len(doc) else None
        if start is None:
            return None
        opener = subjects[0] if subjects else Actor(None, [], 0, 0)
        end = self._continue_rationale(units, index, text, opener, roster, warnings)
        return (sentence_start + start, end) if end > sentence_start + start else None

    def _continue_rationale(self, units, index, text, opener: Actor, roster: Roster, warnings) -> int:
        """A reason runs on through following sentences that name no other party and start no new vote."""
        end = units[index][1]
        for s, e in units[index + 1 :]:
            doc = self.nlp.make_doc(text[s:e])
            kinds = {label for label, _, _ in self._cues(doc)}
            actors = self._actors(doc, roster, [])
            if any(a.party != opener.party for a in actors) or kinds & {
                "cue:proposal", "cue:majority", "cue:minority", "label:for", "label:against", "label:abstain"
            } or any(k.startswith("result:") for k in kinds) or re.match(r"^Ad\s+\d", doc.text):
                break
            if not actors and kinds & {"cue:for", "cue:against", "cue:abstain", "cue:reservation"}:
                break
            end = e
        return end

    def _votes(self, motions: list[Motion], outcome: str | None) -> list[Vote]:
        votes = []
        for motion in motions:
            if not any(motion.sides.values()):
                continue
            result = motion.result
            if result is None and motion.name == "indstillingen":
                result = {"approved": "adopted", "rejected": "rejected", "fell": "fell"}.get(outcome or "")
            if result is None and motion.sides["for"] and motion.tally:
                result = "adopted" if motion.tally["for"] > motion.tally["against"] else "rejected"
            vote = Vote(motion.name, motion.letters("for"), motion.letters("against"), motion.letters("abstain"),
                        result or "unknown")
            vote.tally = motion.tally or None
            votes.append(vote)
        return votes

    def _positions(self, motions, stances, reservations, text: str) -> list[Position]:
        """The losing side of each motion relative to what was decided, plus abstentions and reservations."""
        found: dict[tuple[str | None, str], Position] = {}
        rationale_of = {}
        for stance, actor, rationale in stances:
            if rationale:
                rationale_of[(actor.party, stance)] = rationale

        def add(actor: Actor, stance: str, rationale: Span | None) -> None:
            key = (actor.party, stance)
            position = found.setdefault(key, Position(actor.party, [], stance))
            position.members.extend(m for m in actor.members if m not in position.members)
            if rationale and position.rationale is None:
                position.rationale = squash(text[rationale[0] : rationale[1]])
                position.rationale_span = rationale

        for motion in motions:
            result = motion.result or ("adopted" if motion.name == "indstillingen" else None)
            if motion.name == "indstillingen":
                losers = {"adopted": "against", "fell": "against", "rejected": "for"}.get(result or "", "against")
                stance = "against"
            else:
                losers = {"adopted": "against", "rejected": "for", "fell": "for"}.get(result or "", "for")
                stance = "against" if losers == "against" else "minority_proposal"
            for actor in motion.sides[losers]:
                side_key = "against" if losers == "against" else "for"
                add(actor, stance, rationale_of.get((actor.party, side_key)))
            for actor in motion.sides["abstain"]:
                add(actor, "abstain", rationale_of.get((actor.party, "abstain")))
        for actor, rationale in reservations:
            add(actor, "reservation", rationale)
        return list(found.values())
