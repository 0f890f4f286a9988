"""The moderation charter as validated data. Loading it is the adapter's job; this is pure."""

from __future__ import annotations

from datetime import date, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Brand(_Strict):
    name: str = Field(min_length=1)
    time_zone: str

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


class Charter(_Strict):
    version: int
    brand: Brand
    business_hours: BusinessHours
    sla: SlaTargets
    closure: Closure
