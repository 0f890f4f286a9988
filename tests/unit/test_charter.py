from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.charter import CharterError, load_charter


def test_the_shipped_charter_is_valid() -> None:
    charter = load_charter()
    assert charter.brand.time_zone == "Europe/Paris"
    assert charter.sla.first_response("complaint", "high") == 60
    assert charter.sla.first_response("question", "normal") == 240
    assert charter.sla.resolution_days("routed") == 7


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "charter.yaml"
    path.write_text(text)
    return path


VALID = (Path(__file__).resolve().parents[2] / "chalicelib/charter/charter.yaml").read_text()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("time_zone: Europe/Paris", "time_zone: Mars/Olympus"), "brand.time_zone"),
        (
            ('mon: {open: "09:00", close: "18:00"}', 'mon: {open: "19:00", close: "18:00"}'),
            "business_hours.week.mon",
        ),
        (("complaint: {high: 60,", "complaint: {high: -5,"), "sla.first_response_minutes"),
        (
            ("escalation_repeat_minutes: 30", "escalation_repeat_minutes: 0"),
            "sla.escalation_repeat_minutes",
        ),
        (("    - 2026-12-25", "    - 2026-13-45"), "business_hours.holidays.0"),
        (("version: 1", "version: 1\nsurprise: true"), "surprise"),
    ],
)
def test_an_invalid_charter_fails_naming_the_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in VALID
    with pytest.raises(CharterError, match=message):
        load_charter(write(tmp_path, VALID.replace(old, new, 1)))


def test_broken_yaml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CharterError, match="not valid YAML"):
        load_charter(write(tmp_path, "brand: [unclosed"))
