# The two commands of the README. Both set everything up on a fresh machine first (scripts/setup.sh).
.PHONY: run test setup clean

setup:
	@bash scripts/setup.sh

## Build the knowledge graph (compile curation, check, write dist/) and print a summary.
run: setup
	.venv/bin/exo-rdf curate
	.venv/bin/exo-rdf check
	.venv/bin/exo-rdf build
	.venv/bin/exo-rdf stats

## Run the full test suite.
test: setup
	.venv/bin/python -m pytest -q

clean:
	rm -rf dist .pytest_cache .exo-cache
