"""Reading a SPARQL text without running it: its form, whether it names SERVICE or FROM, its nesting.

This runs in the query worker processes (never on the server's event loop) and in time linear in the
text: every token pattern either always matches once started (strings run to their end or to the end
of the text, names take every name character possessively) or stops at a character that cannot start
the next token's scan again (IRIs stop at ``<``), so no position is scanned more than a fixed number of
times. It gives clear answers (403 for an update, 400 for SERVICE or absurd nesting) before the engine
sees the query; it is not what keeps SERVICE off the network (:mod:`exo_rdf.sandbox` does that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FORMS", "MAX_NESTING", "QueryShape", "UPDATE_WORDS", "keywords", "query_shape"]

#: Deepest nesting of ``{ ( [`` a query may have (the engine's parser is recursive).
MAX_NESTING = 300

_PN = r"\w\u00B7\u00C0-\uFFFF"
_TOKEN_RE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*+(?:"""|\\?\Z)'
    r"|'''(?:[^'\\]|\\.|'(?!''))*+(?:'''|\\?\Z)"
    r'|"(?:[^"\\\n\r]|\\.)*+(?:"|\\?(?=[\n\r]|\Z))'
    r"|'(?:[^'\\\n\r]|\\.)*+(?:'|\\?(?=[\n\r]|\Z))"
    r"|<[^<>\"{}|^`\\\x00-\x20]*+>"
    r"|#[^\n\r]*+"
    rf"|[?$][{_PN}]++"
    rf"|(?P<w>[A-Za-z_\u00C0-\uFFFF][{_PN}\-]*+)?(?P<c>:(?:[{_PN}.\-:]|%[0-9A-Fa-f]{{2}}"
    r"|\\[_~.\-!$&'()*+,;=/?#@%])*+)?"
    r"|@[A-Za-z]++(?:-[A-Za-z0-9]++)*+"
    r"|(?P<b>[{}()\[\]])",
    re.S,
)
FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


@dataclass(frozen=True)
class QueryShape:
    """What the text of a request says about it before it runs."""

    form: str | None  # SELECT, CONSTRUCT, ASK, DESCRIBE, UPDATE or None when unreadable
    service: bool  # uses SERVICE (federated query)
    has_from: bool  # has FROM / FROM NAMED
    nesting: int = 0  # deepest nesting of { ( [ (counted up to MAX_NESTING + 1)


def _scan(query: str, first_word_only: bool = False) -> tuple[list[str], int]:
    words: list[str] = []
    depth = deepest = 0
    for m in _TOKEN_RE.finditer(query):
        if first_word_only and words and words[-1] not in ("PREFIX", "BASE"):
            break
        bracket = m.group("b")
        if bracket is not None:
            if bracket in _OPEN:
                depth += 1
                if depth > deepest:
                    deepest = depth
                    if deepest > MAX_NESTING:
                        break
            else:
                depth = max(0, depth - 1)
            continue
        word = m.group("w")
        if word is not None and m.group("c") is None:
            words.append(word.upper())
    return words, deepest


def keywords(query: str) -> list[str]:
    """The bare words of a SPARQL text (keywords, function names), upper-cased, in order."""
    return _scan(query)[0]


def query_shape(query: str) -> QueryShape:
    low = query.lower()
    brackets = query.count("{") + query.count("(") + query.count("[")
    # Only the first keyword matters unless the text could name SERVICE or FROM or nest too deep.
    first_only = "service" not in low and "from" not in low and brackets <= MAX_NESTING
    words, deepest = _scan(query, first_only)
    form = None
    for word in words:
        if word in ("PREFIX", "BASE"):
            continue
        form = word if word in FORMS else "UPDATE" if word in UPDATE_WORDS else None
        break
    return QueryShape(form, "SERVICE" in words, "FROM" in words, deepest)
