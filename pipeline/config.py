"""Declarative configuration (configs/*.yaml), validated at load so a typo fails early, not mid-batch."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regexes(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            raise ValueError(f"invalid regular expression {pattern!r}: {err}") from err
    return patterns


class IngestConfig(_Strict):
    encodings: list[str]
    max_control_char_ratio: float = Field(gt=0, lt=1)
    repeated_line_min_share: float = Field(gt=0, le=1)
    transcript_min_pages: int = Field(ge=2)
    transcript_header_min_share: float = Field(gt=0, le=1)
    transcript_min_page_chars: int = Field(ge=1)
    max_megabytes: int = Field(gt=0)
    max_line_chars: int = Field(gt=1000, default=20000)
    max_words: int = Field(gt=0, default=1_000_000)
    ocr: bool = False
    ocr_language: str = "dan"
    ocr_dpi: int = Field(default=300, ge=72, le=600)


class SegmentConfig(_Strict):
    type_prefixes: dict[str, str]
    item_words: list[str]
    recommendation_headings: list[str]
    decision_headings: list[str]
    other_headings: list[str]
    absence_headings: list[str]
    absence_sentence_patterns: list[str]
    toc_headings: list[str]
    appendix_patterns: list[str]
    case_number_patterns: list[str]
    case_number_labels: list[str]
    announcement_titles: list[str]
    furniture_patterns: list[str]
    title_suffixes: list[str]
    record_patterns: dict[str, list[str]] = {}

    _regex_fields = field_validator(
        "absence_sentence_patterns", "appendix_patterns", "case_number_patterns", "announcement_titles",
        "furniture_patterns",
    )(_check_regexes)

    @field_validator("record_patterns")
    @classmethod
    def _record_regexes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for patterns in value.values():
            _check_regexes(patterns)
        return value

    @field_validator("type_prefixes")
    @classmethod
    def _known_types(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value.values()) - set(ITEM_TYPES)
        if unknown:
            raise ValueError(f"type_prefixes map to unknown types {sorted(unknown)}; allowed: {ITEM_TYPES}")
        return value


class ClassifyConfig(_Strict):
    orientation_patterns: list[str]
    discussion_patterns: list[str]
    outcome_patterns: dict[str, list[str]]
    counter_proposal_pattern: str
    nothing_patterns: list[str]

    _regex_fields = field_validator("orientation_patterns", "discussion_patterns", "nothing_patterns")(
        _check_regexes
    )

    @field_validator("outcome_patterns")
    @classmethod
    def _known_outcomes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(OUTCOMES)
        if unknown:
            raise ValueError(f"outcome_patterns has unknown outcomes {sorted(unknown)}; allowed: {OUTCOMES}")
        for patterns in value.values():
            _check_regexes(patterns)
        return value


class MetadataConfig(_Strict):
    attendee_labels: list[str]
    absent_labels: list[str]
    absent_markers: list[str]
    date_labels: list[str]
    other_date_labels: list[str]
    source_line_prefixes: list[str]
    committee_labels: list[str]
    committee_names: list[str]
    header_stop_words: list[str]
    committee_suffixes: list[str]
    months: dict[str, int]


class PipelineConfig(_Strict):
    ingest: IngestConfig
    segment: SegmentConfig
    classify: ClassifyConfig
    metadata: MetadataConfig


class Municipalities(_Strict):
    municipalities: list[str]
    regions: list[str] = []
    hosts: dict[str, str] = {}
    aliases: dict[str, str]

    @field_validator("aliases", "hosts")
    @classmethod
    def _aliases_resolve(cls, value: dict[str, str], info) -> dict[str, str]:
        known = set(info.data.get("municipalities", [])) | set(info.data.get("regions", []))
        bad = {alias: name for alias, name in value.items() if name not in known}
        if bad:
            raise ValueError(f"aliases point to unknown municipalities: {bad}")
        return value


class DissentCues(_Strict):
    against: list[str]
    abstain: list[str]
    for_: list[str] = Field(alias="for")
    reservation: list[str]
    proposal: list[str]
    majority: list[str]
    minority: list[str]
    proposal_reference: list[str]
    recommendation_reference: list[str]
    ballot: list[str] = []


class DissentConfig(_Strict):
    parties: dict[str, list[str]]
    abbreviations: dict[str, str] = {}
    local_lists: dict[str, list[str]]
    ballot_letters: str = ""
    group_words: list[str]
    letter_list_intros: list[str]
    stance_verbs: list[str]
    unaffiliated_words: list[str]
    cues: DissentCues
    label_sides: dict[str, list[str]]
    party_split: list[str]
    reservation_objects: list[str]
    results: dict[str, list[str]]
    rationale_intros: list[str]
    rationale_intros_kept: list[str] = []

    @field_validator("label_sides")
    @classmethod
    def _sides(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if set(value) - {"for", "against", "abstain"}:
            raise ValueError(f"label_sides keys must be for/against/abstain, got {sorted(value)}")
        return value

    @field_validator("results")
    @classmethod
    def _results(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if set(value) - {"adopted", "rejected", "fell"}:
            raise ValueError(f"results keys must be adopted/rejected/fell, got {sorted(value)}")
        return value

    @property
    def letters(self) -> dict[str, list[str]]:
        """Every ballot letter, national and local, with its names."""
        return {**self.parties, **self.local_lists}


class Topic(_Strict):
    label: str
    description: str
    seed_terms: list[str] = Field(min_length=1)
    threshold: float = Field(gt=0, lt=1)


class WeakTopicRule(_Strict):
    min_hits: int = Field(ge=1)
    min_hits_per_100_words: float = Field(gt=0)


class Taxonomy(_Strict):
    topics: list[Topic] = Field(min_length=1)
    weak_label: WeakTopicRule

    @field_validator("topics")
    @classmethod
    def _unique(cls, value: list[Topic]) -> list[Topic]:
        labels = [t.label for t in value]
        if len(set(labels)) != len(labels):
            raise ValueError(f"duplicate topic labels in {labels}")
        return value

    @property
    def labels(self) -> list[str]:
        return [t.label for t in self.topics]


class ModelPaths(_Strict):
    segment: str | None = None
    type: str | None = None
    topics: str | None = None

    @staticmethod
    def resolve(path: str | None) -> Path | None:
        """A relative path is found from the working directory, else from the project root."""
        if not path:
            return None
        if Path(path).is_absolute() or Path(path).exists():
            return Path(path)
        return CONFIG_DIR.parent / path


class ReviewConfig(_Strict):
    """Model confidence below which `referat export` marks an item, and `referat review` picks it, for a person
    to check (configs/review.yaml)."""

    type_confidence: float = Field(default=0.6, ge=0, le=1)
    segment_confidence: float = Field(default=0.3, ge=0, le=1)


class QualityGate(_Strict):
    min_item_f1_per_document: float = Field(ge=0, le=1)
    min_item_f1: float = Field(ge=0, le=1)
    min_recommendation_token_f1: float = Field(ge=0, le=1)
    min_decision_token_f1: float = Field(ge=0, le=1)
    min_meeting_date_accuracy: float = Field(ge=0, le=1)
    min_municipality_accuracy: float = Field(ge=0, le=1)
    min_type_accuracy: float = Field(ge=0, le=1)
    min_case_number_accuracy: float = Field(ge=0, le=1, default=0.0)
    min_case_number_accuracy_per_document: float = Field(ge=0, le=1, default=0.0)
    min_vote_f1: float = Field(ge=0, le=1)
    min_position_f1: float = Field(ge=0, le=1)
    min_rationale_token_f1: float = Field(ge=0, le=1)
    max_items_with_invented_dissent: int = Field(ge=0)
    max_items_with_invented_votes: int = Field(ge=0, default=0)
    min_summary_rouge_l: float = Field(ge=0, le=1)
    min_summary_within_60_words: float = Field(ge=0, le=1)
    min_summary_grounded_numbers: float = Field(ge=0, le=1)
    min_summary_grounded_claims: float = Field(ge=0, le=1, default=0.0)
    min_lomo_segment_item_f1: float = Field(ge=0, le=1)
    min_lomo_type_macro_f1: float = Field(ge=0, le=1)
    min_lomo_topics_micro_f1: float = Field(ge=0, le=1)


class RayConfig(_Strict):
    actor_cpus: float = Field(gt=0, default=1)
    actor_memory_mb: int = Field(ge=0, default=1024)
    max_restarts: int = Field(ge=0, default=3)
    max_task_retries: int = Field(ge=0, default=3)
    in_flight_per_actor: int = Field(ge=1, default=2)


ITEM_TYPES = ("Beslutning", "Orientering", "Drøftelse", "Meddelelser")
OUTCOMES = ("approved", "rejected", "noted", "discussed", "postponed", "fell", "none")


class ConfigError(ValueError):
    """A configuration file is missing or does not validate."""


def _load(model: type[BaseModel], path: Path) -> BaseModel:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from err
    try:
        return model.model_validate(raw)
    except ValueError as err:
        raise ConfigError(f"{path}: {err}") from err


@lru_cache(maxsize=8)
def load_pipeline_config(path: Path = CONFIG_DIR / "pipeline.yaml") -> PipelineConfig:
    return _load(PipelineConfig, Path(path))


@lru_cache(maxsize=8)
def load_dissent_config(path: Path = CONFIG_DIR / "dissent.yaml") -> DissentConfig:
    return _load(DissentConfig, Path(path))


@lru_cache(maxsize=8)
def load_taxonomy(path: Path = CONFIG_DIR / "topics.yaml") -> Taxonomy:
    return _load(Taxonomy, Path(path))


def load_model_paths(path: Path = CONFIG_DIR / "models.yaml") -> ModelPaths:
    return _load(ModelPaths, Path(path))


def load_review_config(path: Path = CONFIG_DIR / "review.yaml") -> ReviewConfig:
    return _load(ReviewConfig, Path(path))


@lru_cache(maxsize=8)
def load_municipalities(path: Path = CONFIG_DIR / "municipalities.yaml") -> Municipalities:
    return _load(Municipalities, Path(path))


def load_ray_config(path: Path = CONFIG_DIR / "ray.yaml") -> RayConfig:
    return _load(RayConfig, Path(path))


def load_quality_gate(path: Path = CONFIG_DIR / "quality_gate.yaml") -> QualityGate:
    return _load(QualityGate, Path(path))
