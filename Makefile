# The two commands of the README. Both set everything up on a fresh machine first (scripts/setup.sh).
.PHONY: run test setup clean

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

## Run the full test suite.
test: setup
	.venv/bin/python -m pytest -q

clean:
	rm -rf dist .pytest_cache .exo-cache
