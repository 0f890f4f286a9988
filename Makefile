# The two set-up commands: `make run` (local stack) and `make test` (everything CI runs).
# Both create .venv and install the pinned requirements when they are missing or changed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# The survey page's browser tests drive Debian's Chromium (Playwright never downloads a browser).
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test lint typecheck cfn-lint unit package bench triage-eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(STAMP)

run: install
	PORT=$(PORT) $(BIN)/python -m infra.local

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

cfn-lint: install
	$(BIN)/python -m infra.template build/infra.json
	$(BIN)/cfn-lint build/infra.json

test: lint typecheck cfn-lint | $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) $(BIN)/pytest

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install Chromium, or set CHROMIUM=/path/to/it"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

unit: install
	$(BIN)/pytest tests/unit

# One CloudFormation (SAM) template holding the app and its infrastructure, in build/package.
package: install
	$(BIN)/python -m infra.template build/package-overlay.json --package-overlay
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-west-1} $(BIN)/chalice package --stage prod \
		--merge-template build/package-overlay.json build/package

bench: install
	$(BIN)/python -m bench.webhook_to_ticket 30

triage-eval: install
	$(BIN)/python -m bench.triage_eval evaluation

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
