"""Render the infra template: `python -m infra.template OUT.json [--package-overlay]`.

The template and the ASL definition are kept as two readable files; rendering inlines the ASL
into the state machine resource so CloudFormation, cfn-lint and the local stack all see the same
definition.

With `--package-overlay` the output is meant for `chalice package --merge-template`: the same
resources, plus the Lambda functions' settings wired to them, so one CloudFormation stack holds
the app and its infrastructure.
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


# The functions `chalice package` generates from app.py.
CHALICE_FUNCTIONS = ("APIHandler", "HandleInbox", "HandleWorkflow")


def render_package_overlay() -> dict[str, Any]:
    template = render()
    variables = {
        "TABLE_NAME": {"Ref": "Table"},
        "INBOX_QUEUE_URL": {"Ref": "InboxQueue"},
        "STATE_MACHINE_ARN": {"Ref": "TicketWorkflow"},
    }
    for function in CHALICE_FUNCTIONS:
        template["Resources"][function] = {"Properties": {"Environment": {"Variables": variables}}}
    return template


def main(argv: list[str]) -> None:
    args = [a for a in argv[1:] if not a.startswith("--")]
    out = Path(args[0]) if args else Path("build/infra.json")
    rendered = render_package_overlay() if "--package-overlay" in argv else render()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rendered, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
