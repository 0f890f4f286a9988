"""Loading the charter file shipped with the app."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from chalicelib.domain.charter import Charter

CHARTER_PATH = Path(__file__).with_name("charter.yaml")


class _CharterLoader(yaml.SafeLoader):
    """Leaves dates as text, so pydantic validates them and names the field that is wrong."""


_CharterLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class CharterError(Exception):
    """The charter is invalid; the message names the field and the problem."""


def load_charter(path: Path = CHARTER_PATH) -> Charter:
    try:
        raw = yaml.load(path.read_text(), Loader=_CharterLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        raise CharterError(f"{path.name}: not valid YAML: {e}") from e
    try:
        return Charter.model_validate(raw)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        raise CharterError(f"{path.name}: {problems}") from e
