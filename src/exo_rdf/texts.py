"""Read a new source's text: sections of plain text and Markdown, and text out of a PDF.

Sections (the same :class:`exo_rdf.sources.Section` values the review seeds have):

* a heading is a Markdown ATX heading (``## Results``) or, as in the seeds, a short line standing
  alone between blank lines that does not end with a full stop; it runs to the next heading;
* a figure legend is a paragraph that starts ``Fig. N``, ``Figure N`` (also in bold, ``**Figure 2.**``),
  and a table caption one that starts ``Table N``: each is a section of its own that ends with its
  paragraph, inside the heading section it interrupts;
* text before the first heading is the section "Front matter".
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ExoError
from .sources import Section, Seed, split_lines

__all__ = ["FRONT_MATTER", "MAX_TEXT_BYTES", "check_text_bytes", "parse_text", "pdf_text", "sections_of"]

_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_FIGURE = re.compile(r"^[*_]{0,2}(?:Fig\.|Figure|Fig)\s*(\d+)\b", re.IGNORECASE)
_TABLE = re.compile(r"^[*_]{0,2}Table\s+(\d+)\b", re.IGNORECASE)
FRONT_MATTER = "Front matter"
MAX_TEXT_BYTES = 20_000_000


def check_text_bytes(path: Path, blob: bytes) -> str:
    """The UTF-8 text of ``blob``, or a plain error naming ``path`` when it is empty or binary."""
    if len(blob) > MAX_TEXT_BYTES:
        raise ExoError(f"{path}: {len(blob):,} bytes is more than the {MAX_TEXT_BYTES:,} a source text may have")
    if b"\x00" in blob:
        raise ExoError(f"{path}: this is a binary file, not text: give a plain-text, Markdown or PDF file")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExoError(f"{path}: not UTF-8 text (byte {exc.start}): save it as UTF-8 or give the PDF") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ExoError(f"{path}: the file is empty: it has no text to curate")
    return text


def sections_of(text: str, layout: str = "plain") -> list[Section]:
    lines, starts, blank = split_lines(text)

    headings: list[tuple[str, int]] = []
    inserts: list[Section] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        atx = _ATX.match(line) if layout == "markdown" else None
        if atx:
            headings.append((atx.group(1).strip("*_ "), starts[i]))
        elif stripped and blank(i - 1):
            fig, table = _FIGURE.match(stripped), _TABLE.match(stripped)
            if fig or table:
                j = i
                while j < len(lines) and lines[j].strip():
                    j += 1
                end = starts[j - 1] + len(lines[j - 1])
                title = f"Fig. {fig.group(1)}" if fig else f"Table {table.group(1) if table else ''}"
                inserts.append(Section(title, "figure" if fig else "table", starts[i], end))
                i = j
                continue
            if blank(i + 1) and len(stripped) < 130 and not stripped.endswith((".", ":", ";", ",")):
                headings.append((stripped.strip("*_ "), starts[i]))
        i += 1
    if not headings or headings[0][1] > len(text) - len(text.lstrip()):
        headings.insert(0, (FRONT_MATTER, 0))
    sections = []
    for k, (title, start) in enumerate(headings):
        end = headings[k + 1][1] if k + 1 < len(headings) else len(text)
        sections.append(Section(title, "heading", start, end))
    sections.extend(inserts)
    sections.sort(key=lambda s: (s.start, s.kind != "heading"))
    return sections


def parse_text(path: Path, layout: str = "plain") -> Seed:
    """Read a registered source's text file and find its sections."""
    path = Path(path)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise ExoError(f"cannot read source text {path}: {exc}") from None
    text = check_text_bytes(path, blob)
    return Seed(path.stem, path, text, sections_of(text, layout))


def pdf_text(path: Path, max_pages: int = 500) -> str:
    """The text of a PDF (pypdf), page by page separated by blank lines; plain errors for a broken
    PDF and for one without extractable text (a scan)."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:  # pragma: no cover - a declared dependency
        raise ExoError("reading a PDF needs the pypdf package (pip install pypdf)") from None
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise ExoError(f"{path}: the PDF is encrypted; save an unprotected copy first")
        if len(reader.pages) > max_pages:
            raise ExoError(f"{path}: {len(reader.pages)} pages is more than the {max_pages} a source may have")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except ExoError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ExoError(f"{path}: cannot read this PDF ({type(exc).__name__}: {exc})") from None
    text = "\n\n".join(p for p in pages if p)
    text = re.sub(r"[ \t]+\n", "\n", text)
    if not text.strip():
        raise ExoError(
            f"{path}: the PDF has no extractable text (a scanned image?): run OCR and add the text file instead"
        )
    return text + "\n"
