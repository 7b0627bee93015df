#!/usr/bin/env bash
# One-time set-up, idempotent: a virtualenv in .venv with the package and its test tools, and a Java
# runtime for the HermiT reasoner. Called by `make run` and `make test`; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "setup: Python 3.11 or newer is required (found $("$PY" --version 2>&1))" >&2
  exit 2
fi

if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing a Java runtime for the HermiT reasoner (apt-get install default-jre-headless)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
  else
    echo "setup: Java was not found; the reasoner (exo-rdf reason) needs Java 17+. Install it, e.g. 'sudo apt-get install default-jre-headless'." >&2
    exit 2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.exo-rdf-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi
