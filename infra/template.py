"""Render the infra template: `python -m infra.template OUT.json`.

The template and the ASL definition are kept as two readable files; rendering inlines the ASL
into the state machine resource so CloudFormation, cfn-lint and the local stack all see the same
definition.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

INFRA_DIR = Path(__file__).resolve().parent
TEMPLATE_PATH = INFRA_DIR / "template.yaml"
ASL_PATH = INFRA_DIR / "statemachine" / "ticket.asl.json"


def load_asl() -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(ASL_PATH.read_text())
    return definition


def render() -> dict[str, Any]:
    template: dict[str, Any] = yaml.safe_load(TEMPLATE_PATH.read_text())
    machine = template["Resources"]["TicketWorkflow"]["Properties"]
    machine["DefinitionString"] = json.dumps(load_asl(), indent=2)
    return template


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path("build/infra.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(render(), indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
