# kgqa: `make demo` installs everything and runs the main job on the bundled sample;
# `make test` installs everything and runs the tests; `make lint` checks the layers
# (import-linter, docs/architecture.md) and the typed modules (mypy --strict, pyproject.toml).
# Only Python >= 3.11 is needed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   := .kgqa-demo
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo lint test bench clean

$(BIN)/kgqa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# The CPU build of torch first: an unpinned torch would pull gigabytes of CUDA packages.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/kgqa

demo: install
	rm -rf $(DEMO)
	$(BIN)/kgqa --project $(DEMO) init --sample
	$(BIN)/kgqa --project $(DEMO) ingest data/sample
	$(BIN)/kgqa --project $(DEMO) train translator
	$(BIN)/kgqa --project $(DEMO) complete
	while IFS= read -r q; do echo; echo "Q: $$q"; $(BIN)/kgqa --project $(DEMO) ask "$$q" || exit 1; done < data/sample/demo_questions.txt

lint: install
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(DEMO) .pytest_cache .import_linter_cache .mypy_cache build *.egg-info
