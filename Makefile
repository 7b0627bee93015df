# The two commands of the README. Both set everything up on a fresh machine first (scripts/setup.sh).
.PHONY: run test test-fast lint format setup clean

setup:
	@bash scripts/setup.sh

## Build the knowledge graph (compile curation, check, write dist/), print a summary and serve it locally
## (SPARQL endpoint, dereferenceable IRIs, HTML pages) on http://127.0.0.1:$(PORT)/exo-rdf/ until Ctrl-C.
PORT ?= 8080
run: setup
	.venv/bin/exo-rdf curate
	.venv/bin/exo-rdf check
	.venv/bin/exo-rdf build
	.venv/bin/exo-rdf stats
	.venv/bin/exo-rdf serve --port $(PORT)

## Run the lint and type checks, then the full test suite, one worker per core (pytest-xdist; each test file stays on one worker, so a
## file's session fixtures are computed once).
test: setup lint
	.venv/bin/python -m pytest -q -n auto --dist loadfile

## The edit loop: every test not marked slow (no HermiT, builds, servers or browsers).
test-fast: setup
	.venv/bin/python -m pytest -q -n auto --dist loadfile -m "not slow"

## Lint, format check and type check (configured in pyproject.toml; also a pre-commit hook).
lint: setup
	.venv/bin/ruff check src tests scripts benchmarks
	.venv/bin/ruff format --check src tests scripts benchmarks
	.venv/bin/mypy

## Rewrite the code in the house format.
format: setup
	.venv/bin/ruff format src tests scripts benchmarks
	.venv/bin/ruff check --fix src tests scripts benchmarks

clean:
	rm -rf dist .pytest_cache .exo-cache
