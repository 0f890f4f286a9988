"""The moderation charter as validated data. Loading it is the adapter's job; this is pure."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, time
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Language = Literal["fr", "en"]
Category = Literal["complaint", "question", "contact_request", "praise", "abuse", "spam"]
Priority = Literal["high", "normal", "low"]
CATEGORIES: tuple[Category, ...] = (
    "spam",
    "abuse",
    "complaint",
    "contact_request",
    "question",
    "praise",
)
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """Compiled once per process: the charter holds more patterns than `re` keeps in its cache.
    (Triage compiles its own, faster form of each, in the processes that triage.)"""
    return re.compile(pattern)


# Texts no pattern has a reason to match, and where a pattern that can match nothing will.
_PROBES = ("", "zq", " zq. zq ")


def _compilable(patterns: list[str], label: str = "") -> list[str]:
    """The patterns, if each is a valid regular expression that needs some text to match; else
    the first error, named. One that can match nothing at all ("\\b(crypto)?") matches nearly
    every message: a typo in the charter must not hide, or refuse, everything."""
    prefix = f"{label}: " if label else ""
    for pattern in patterns:
        try:
            regex = compiled(pattern)
        except re.error as e:
            raise ValueError(f"{prefix}bad pattern {pattern!r}: {e}") from e
        if any(m.start() == m.end() for text in _PROBES for m in regex.finditer(text)):
            raise ValueError(f"{prefix}pattern {pattern!r} matches empty text, so any message")
    return patterns


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Brand(_Strict):
    name: str = Field(min_length=1)
    time_zone: str
    charter_url: str = Field(min_length=1, description="the published moderation charter")
    languages: list[Language] = Field(min_length=1)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {value!r}") from e
        return value


class OpeningHours(_Strict):
    open: time
    close: time

    @model_validator(mode="after")
    def _opens_before_closing(self) -> OpeningHours:
        if self.open >= self.close:
            raise ValueError("open must be before close")
        return self


class BusinessHours(_Strict):
    week: dict[Weekday, OpeningHours]
    holidays: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _open_some_day(self) -> BusinessHours:
        if not self.week:
            raise ValueError("at least one weekday must be open")
        return self


class SlaTargets(_Strict):
    first_response_minutes: dict[str, dict[str, int]]
    first_response_cap_business_days: int = Field(default=1, ge=1)
    escalation_repeat_minutes: int = Field(gt=0)
    resolution_business_days: dict[str, int]
    survey_wait_days: int = Field(gt=0)
    reopen_window_days: int = Field(ge=0)

    @field_validator("first_response_minutes")
    @classmethod
    def _has_default(cls, value: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        if "default" not in value or "default" not in value["default"]:
            raise ValueError("needs default.default, the target for anything not listed")
        for category, by_priority in value.items():
            if any(minutes <= 0 for minutes in by_priority.values()):
                raise ValueError(f"{category}: targets must be positive minutes")
        return value

    @field_validator("resolution_business_days")
    @classmethod
    def _has_resolution_default(cls, value: dict[str, int]) -> dict[str, int]:
        if "default" not in value:
            raise ValueError("needs a default")
        return value

    def first_response(self, category: str, priority: str) -> int:
        by_priority = self.first_response_minutes.get(
            category, self.first_response_minutes["default"]
        )
        fallback = self.first_response_minutes["default"]["default"]
        return by_priority.get(priority, by_priority.get("default", fallback))

    def resolution_days(self, routing: str | None) -> int:
        return self.resolution_business_days.get(
            routing or "default", self.resolution_business_days["default"]
        )


class Closure(_Strict):
    public_message: str = Field(min_length=1)
    private_message: str = Field(min_length=1)
    survey_link_days: int = Field(default=14, gt=0)

    def render(self, template: str, first_name: str | None) -> str:
        return template.replace("{first_name}", first_name or "there")


class Rule(_Strict):
    """A detection rule: any of its patterns (regular expressions, matched on lower-case text
    without accents) adds its weight to its category."""

    id: str = Field(min_length=1)
    language: Language | Literal["any"] = "any"
    weight: float = Field(default=1.0, gt=0)
    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _compile(cls, patterns: list[str]) -> list[str]:
        return _compilable(patterns)


_WORD_LIST = re.compile(r"\{\{(\w+)\}\}")


def without_accents(text: str, form: Literal["NFD", "NFKD"] = "NFD") -> str:
    """The text without accents, typographic apostrophes made plain. NFKD also spells out
    ligatures and the like ("…" as "..."): right for a message, wrong for a pattern."""
    decomposed = unicodedata.normalize(form, text.replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _expand(pattern: str, word_lists: dict[str, list[str]], where: str) -> str:
    """`{{name}}` in a pattern stands for any entry of the named word list."""

    def entries(reference: re.Match[str]) -> str:
        name = reference.group(1)
        if name not in word_lists:
            raise ValueError(f"{where}: unknown word list {name!r}")
        return "(?:" + "|".join(word_lists[name]) + ")"

    return _WORD_LIST.sub(entries, pattern)


def _expand_rules(rules: Any, word_lists: dict[str, list[str]], where: str) -> Any:
    if not isinstance(rules, list):
        return rules
    expanded = []
    for rule in rules:
        if isinstance(rule, dict) and isinstance(rule.get("patterns"), list):
            at = f"{where}.{rule.get('id')}"
            # Messages are matched without their accents, so the patterns are too: "ça" as "ca".
            patterns = [
                without_accents(_expand(p, word_lists, at)) if isinstance(p, str) else p
                for p in rule["patterns"]
            ]
            rule = {**rule, "patterns": patterns}
        expanded.append(rule)
    return expanded


class HiddenDespite(_Strict):
    """Once `category` (abuse or spam) scored at least `from_score`, evidence for `of` does not
    count against it: spam is written with praise for a stranger ("she doubled my savings,
    honest woman"), so praise in a message is no sign it is not spam."""

    category: Literal["abuse", "spam"]
    of: list[Category] = Field(min_length=1)
    from_score: float = Field(gt=0)


class Triage(_Strict):
    # Named lists of words or phrases (pattern fragments) that rules, and the lists below them,
    # refer to as `{{name}}`.
    word_lists: dict[str, list[str]] = {}
    # Evaluated for every category; the highest total weight wins, ties go to the category
    # listed first in CATEGORIES (spam, abuse, complaint, contact_request, question, praise).
    rules: dict[Category, list[Rule]]
    # Complaints matching any of these are high priority (emotion-charged).
    high_priority: list[Rule]
    # A message matching any of these is never hidden, whatever its scores: a customer quoting
    # an insult they received, or asking whether a message they got is a scam.
    keep_visible: list[Rule] = []
    # Share of capital letters (over at least `shouting_min_letters`) that counts as shouting.
    shouting_ratio: float = Field(default=0.6, gt=0, le=1)
    # What a hiding category (abuse, spam) must win by over the best answerable one.
    hide_margin: float = Field(default=0.0, ge=0)
    # Answerable categories that do not argue against a hiding one once it scored this much.
    hidden_despite: list[HiddenDespite] = []
    shouting_min_letters: int = Field(default=12, gt=0)
    priorities: dict[Category, Priority]
    fallback: Category

    @model_validator(mode="before")
    @classmethod
    def _expand_word_lists(cls, data: Any) -> Any:
        """Rules are stored with their word lists spelled out, so matching never looks them up.
        Anything malformed is left for the field validators to name."""
        if not isinstance(data, dict) or not isinstance(data.get("word_lists", {}), dict):
            return data
        # A list may name the lists above it ("acme" is written once, in brand_names); naming
        # only earlier ones keeps references from going round in circles.
        lists: dict[str, list[str]] = {}
        for name, words in data.get("word_lists", {}).items():
            at = f"word_lists.{name}"
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise ValueError(f"{at}: must be a list of patterns (text)")
            lists[name] = _compilable([_expand(w, lists, at) for w in words], at)
        expanded = {**data, "word_lists": lists}
        if isinstance(data.get("rules"), dict):
            expanded["rules"] = {
                category: _expand_rules(found, lists, f"rules.{category}")
                for category, found in data["rules"].items()
            }
        for section in ("high_priority", "keep_visible"):
            if section in data:
                expanded[section] = _expand_rules(data[section], lists, section)
        return expanded

    @model_validator(mode="after")
    def _unique_ids(self) -> Triage:
        ids = [r.id for rules in self.rules.values() for r in rules]
        ids += [r.id for r in self.high_priority] + [r.id for r in self.keep_visible]
        duplicated = {i for i in ids if ids.count(i) > 1}
        if duplicated:
            raise ValueError(f"rule ids must be unique: {sorted(duplicated)}")
        return self


class Replies(_Strict):
    signature: str = Field(pattern=r"\{agent\}")
    # category (or "default") → language → text
    saved: dict[str, dict[Language, str]]

    @field_validator("saved")
    @classmethod
    def _has_default(cls, value: dict[str, dict[Language, str]]) -> dict[str, dict[Language, str]]:
        if "default" not in value:
            raise ValueError("needs a default reply")
        for category, by_language in value.items():
            for language, text in by_language.items():
                if "{first_name}" not in text or "{signature}" not in text:
                    raise ValueError(
                        f"{category}.{language}: needs {{first_name}} and {{signature}}"
                    )
        return value


class Team(_Strict):
    slack_channel: str = Field(min_length=1)
    resolution_business_days: int = Field(gt=0)


class Charter(_Strict):
    version: int
    brand: Brand
    business_hours: BusinessHours
    sla: SlaTargets
    teams: dict[str, Team]
    triage: Triage
    replies: Replies
    sensitive_data: dict[str, list[str]]
    closure: Closure

    @field_validator("sensitive_data")
    @classmethod
    def _valid_patterns(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {label: _compilable(patterns, label) for label, patterns in value.items()}
