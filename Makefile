# The two commands a new user needs: `make demo` (set up, then screen the example
# patients on the embedded default study) and `make test` (lint, type-check, tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo demo-trial test check bench clean messages

$(BIN)/trialdesk: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/trialdesk
	$(BIN)/trialdesk screen examples/ --screening-date 2026-03-02 --baseline-date 2026-03-16 --target-knee right

# A simulated trial to look around in the browser: 15 invented participants (the study's
# enrolment target) in ./demo-trial.db, then the web app; sign in with the account and the
# demo-only password the first command prints.
demo-trial: $(BIN)/trialdesk
	rm -f demo-trial.db demo-trial.db-wal demo-trial.db-shm
	$(BIN)/trialdesk trial simulate --participants 15 --seed 1 --database-url sqlite:///./demo-trial.db
	$(BIN)/trialdesk serve --database-url sqlite:///./demo-trial.db

check: $(BIN)/trialdesk
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: check
	$(BIN)/pytest -q

# After marking new texts with _(): add them to each catalogue (src/trialdesk/i18n/locale)
# for the translator; a test refuses a marked text left untranslated.
messages: $(BIN)/trialdesk
	$(BIN)/python -m trialdesk.i18n.extract

bench: $(BIN)/trialdesk
	$(BIN)/python benchmarks/screen_fhir.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
