"""Reading OBO 1.4 flat files: the header and the stanzas, as tag-value pairs with their line numbers.

One reader for both users of OBO: the term index (:mod:`exo_rdf.terms`, which keeps labels,
synonyms, parents and obsolescence) and the OWL conversion of ``exo-rdf merge``
(:func:`exo_rdf.extformats.obo_triples`). Each interprets the values; this module only splits the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import InputError

__all__ = ["Stanza", "obo_stanzas"]

#: One stanza: its type (``Term``, ``Typedef``, ``Instance`` ...), the line of its header and its tags
#: as (tag, value, line), in file order.
Stanza = tuple[str, int, list[tuple[str, str, int]]]

_OBO_TAG = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s?(.*)$")


def obo_stanzas(lines: Iterable[str], path: Path, header: dict[str, list[str]] | None = None) -> Iterator[Stanza]:
    """The stanzas of OBO text given line by line; header tags are collected into ``header``.

    Blank lines and ``!`` comment lines are skipped. A line before the first stanza that is not a
    ``tag: value`` pair raises :class:`InputError` (the text is not OBO); inside stanzas such lines are
    ignored, as OBO parsers do.
    """
    header = header if header is not None else {}
    current: Stanza | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line.startswith("["):
            if current is not None:
                yield current
            current = (line.strip("[] "), number, [])
            continue
        m = _OBO_TAG.match(line)
        if not m:
            if current is None:
                raise InputError(path, f"not an OBO header line: {line[:80]!r}", number)
            continue
        if current is None:
            header.setdefault(m.group(1), []).append(m.group(2).strip())
        else:
            current[2].append((m.group(1), m.group(2).strip(), number))
    if current is not None:
        yield current
