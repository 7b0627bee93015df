"""The source documents (review seeds): their text, sections, and verbatim-quote lookup.

A seed is plain text. Headings are short lines standing alone between blank lines. A figure legend
("Fig. N" / "figure N" / one paragraph) and a table caption ("Table N ...") are sections of their
own that end with their paragraph: the text after them belongs to the heading section they interrupt.
Offsets are 0-based Unicode code-point positions into the text as read (UTF-8), end exclusive, as in
the Web Annotation TextPositionSelector.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExoError

__all__ = [
    "Section",
    "Seed",
    "cited_numbers",
    "load_seeds",
    "parse_seed",
    "slugify",
]

_FIG_RE = re.compile(r"^Fig\. (\d+)$")
_SPACES = " \t\u00a0\u2009\u202f\u2007\u2002\u2003"
_SPACE_RUN = re.compile(f"[{_SPACES}]+")
_SPACE_CLASS = f"[{_SPACES}]+"
_TABLE_RE = re.compile(r"^Table (\d+)\b")


@dataclass(frozen=True)
class Section:
    title: str  # heading as written ("Kidney damage repair", "Fig. 2", "Table 1")
    kind: str  # "heading", "figure" or "table"
    start: int
    end: int

    @property
    def slug(self) -> str:
        return slugify(self.title)


@dataclass
class Seed:
    stem: str
    path: Path
    text: str
    sections: list[Section] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def section_at(self, offset: int) -> Section:
        """The innermost section containing ``offset`` (figure/table sections win over headings)."""
        best = None
        for sec in self.sections:
            if sec.start <= offset < sec.end and (best is None or sec.kind != "heading"):
                best = sec
        if best is None:
            raise ExoError(f"{self.path}: offset {offset} lies in no section")
        return best

    def locate(self, quote: str) -> list[tuple[int, int]]:
        """Every span of the seed that matches ``quote``, where a run of spaces in the quote matches a
        run of any kind of space in the seed (the seeds contain no-break and thin spaces that copy-paste
        turns into plain ones). Everything else must match exactly. The span is the seed's own text."""
        parts = [re.escape(p) for p in _SPACE_RUN.split(quote.strip())]
        pattern = re.compile(_SPACE_CLASS.join(parts))
        return [(m.start(), m.end()) for m in pattern.finditer(self.text)]

    def find(self, quote: str, occurrence: int = 1) -> tuple[int, int]:
        """Start and end of the ``occurrence``-th match of ``quote`` (see :meth:`locate`)."""
        spans = self.locate(quote)
        if not 1 <= occurrence <= len(spans):
            raise ValueError("not found verbatim")
        return spans[occurrence - 1]

    def count(self, quote: str) -> int:
        return len(self.locate(quote))


def slugify(text: str) -> str:
    text = text.lower().replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-") or "x"


def parse_seed(path: Path) -> Seed:
    """Read a seed file and find its sections."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExoError(f"seed file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExoError(f"cannot read seed file {path}: {exc}") from None
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1

    def blank(i: int) -> bool:
        return i < 0 or i >= len(lines) or not lines[i].strip()

    def paragraph_end(i: int) -> int:
        """Offset just after the paragraph that starts at line i."""
        while i < len(lines) and lines[i].strip():
            i += 1
        return min(starts[i - 1] + len(lines[i - 1]), len(text)) if i > 0 else 0

    headings, inserts = [], []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() and blank(i - 1) and len(line) < 130 and not line.rstrip().endswith("."):
            fig = _FIG_RE.match(line.strip())
            table = _TABLE_RE.match(line.strip())
            if fig:
                # "Fig. N" / "figure N" / blank / legend paragraph
                j = i + 1
                while j < len(lines) and (lines[j].strip().lower().startswith("figure") or not lines[j].strip()):
                    j += 1
                inserts.append(Section(f"Fig. {fig.group(1)}", "figure", starts[i], paragraph_end(j)))
                i = j
                continue
            if table:
                inserts.append(Section(f"Table {table.group(1)}", "table", starts[i], starts[i] + len(line)))
            elif blank(i + 1):
                headings.append((line.strip(), starts[i]))
        i += 1
    sections = []
    for k, (title, start) in enumerate(headings):
        end = headings[k + 1][1] if k + 1 < len(headings) else len(text)
        sections.append(Section(title, "heading", start, end))
    sections.extend(inserts)
    sections.sort(key=lambda s: (s.start, s.kind != "heading"))
    return Seed(path.stem, path, text, sections)


def load_seeds(seeds_dir: Path) -> dict[str, Seed]:
    """All seeds in a folder, keyed by file stem."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise ExoError(f"seeds folder not found: {seeds_dir} (expected ../shared/seeds beside the project)")
    return {p.stem: parse_seed(p) for p in sorted(seeds_dir.glob("*.txt"))}


_CITE_RE = re.compile(r"\[(\d[\d,\s–-]*)\]")


def cited_numbers(text: str) -> set[int]:
    """Reference numbers cited in brackets in ``text``: [25], [21, 22], [51,52,53], [33, 48,49,50,51]."""
    found: set[int] = set()
    for m in _CITE_RE.finditer(text):
        for part in m.group(1).split(","):
            part = part.strip()
            if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
                a, b = (int(x) for x in re.split(r"\s*[–-]\s*", part))
                found.update(range(a, b + 1))
            elif part.isdigit():
                found.add(int(part))
    return found
