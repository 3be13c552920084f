# egovindex: the two commands are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench fidelity docs clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/egovindex db upgrade
	$(BIN)/egovindex sources load --reference --or-fetch
	$(BIN)/egovindex egdi profile VNM
	$(BIN)/egovindex egdi rank 2024 --region asean
	$(BIN)/egovindex web --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/run.py --out docs/benchmarks.md

fidelity: $(STAMP)
	$(BIN)/egovindex egdi fidelity --out docs/fidelity.md

clean:
	rm -rf $(VENV) data/*.duckdb data/*.sqlite data/*.sqlite-wal data/*.sqlite-shm data/*.audit-head.json data/*.audit-head.json.lock .pytest_cache

docs: $(STAMP)
	$(BIN)/python -m egovindex.cli.reference > docs/cli.md
