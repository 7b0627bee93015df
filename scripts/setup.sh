#!/usr/bin/env bash
# One-time set-up, idempotent: a virtualenv in .venv with the package and its test tools, a Java
# runtime for the HermiT reasoner, Debian's Konclude reasoner (the fast one of `exo-rdf check`), and
# Debian's Chromium + ChromeDriver for the browser tests.
# Called by `make run` and `make test`; safe to run again.
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

# Konclude, the OWL 2 DL reasoner `exo-rdf check` runs by default (HermiT stays for `check --full`).
if ! command -v Konclude >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing the Konclude reasoner (apt-get install konclude)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq konclude >/dev/null
  else
    echo "setup: Konclude was not found; exo-rdf check needs it (or falls back to the slow HermiT). Install it, e.g. 'sudo apt-get install konclude'." >&2
    exit 2
  fi
fi

# Headless Chromium and its WebDriver for the browser tests of the HTML pages (Debian's packages; the
# browsers that test tools download themselves cannot start on this kind of machine).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Chromium and ChromeDriver for the browser tests (apt-get install chromium chromium-driver)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "setup: chromium and chromedriver were not found; the browser tests need them. Install them, e.g. 'sudo apt-get install chromium chromium-driver'." >&2
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
