#!/usr/bin/env bash
# One-time set-up, idempotent: a virtualenv in .venv with the package and its test tools, a Java
# runtime for the HermiT reasoner, Debian's Konclude reasoner (the fast one of `exo-rdf check`),
# Debian's Chromium + ChromeDriver for the browser tests, and Debian's Virtuoso Open Source 7 binaries
# for exo-rdf publish virtuoso.
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

# Virtuoso Open Source 7 for `exo-rdf publish virtuoso` and its tests: only the binaries package
# (virtuoso-t, isql-vt). The full virtuoso-opensource package would add a system service and a debconf
# password prompt; exo-rdf starts its own server with its own configuration instead.
if ! command -v virtuoso-t >/dev/null 2>&1 || ! command -v isql-vt >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Virtuoso Open Source 7 (apt-get install virtuoso-opensource-7-bin)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      virtuoso-opensource-7-bin >/dev/null
  else
    echo "setup: virtuoso-t and isql-vt were not found; exo-rdf publish virtuoso and its tests need them. Install them, e.g. 'sudo apt-get install virtuoso-opensource-7-bin'." >&2
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
