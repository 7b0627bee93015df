"""Errors that the command line reports as a plain message with exit code 2 (never a traceback)."""

from __future__ import annotations

__all__ = [
    "ExoError",
    "InputError",
    "decode_utf8",
    "oversized_term",
    "position",
]


class ExoError(Exception):
    """A usage or input problem the user can fix; the message says where and what to change."""

    exit_code = 2


class InputError(ExoError):
    """A source file cannot be read or parsed. Carries the file and, where known, the line and column
    (both counted from 1; the column in characters), shown as ``file:line:column: message``."""

    def __init__(self, path: object, message: str, line: int | None = None, column: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.column = column if line else None
        where = f"{self.path}:{line}" if line else self.path
        if self.column:
            where += f":{self.column}"
        super().__init__(f"{where}: {message}")


def position(text: str, index: int) -> tuple[int, int]:
    """(line, column) of the character at ``index`` of ``text``, both counted from 1."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def decode_utf8(path: object, data: bytes) -> str:
    """``data`` decoded as UTF-8 (a leading byte-order mark dropped), or :class:`InputError` naming the
    line and column of the first byte that is not UTF-8, and what to do."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8-sig", errors="replace")
        line, column = position(before + "?", len(before))
        byte = data[exc.start]
        if exc.reason == "unexpected end of data":
            what = "the file ends in the middle of a UTF-8 character: it looks truncated; copy it again"
        else:
            what = (
                f"byte 0x{byte:02X} is not valid UTF-8 ({exc.reason}); the file is in another encoding "
                "(Latin-1 or Windows-1252?): save it as UTF-8"
            )
        raise InputError(path, what, line, column) from None


#: The most bytes Oxigraph's parsers buffer for one term (an IRI or a literal); a longer one ends in
#: ``MemoryError: Reached the buffer maximal size``, after at most this much memory.
PARSER_BUFFER_BYTES = 16 * 1024 * 1024


def oversized_term(path: object, exc: MemoryError, data: bytes | None = None, what: str = "") -> InputError | None:
    """The :class:`InputError` for a parser that gave up on a term longer than its buffer, naming the first
    line over that length (found by reading the file in chunks), or None when ``exc`` is another MemoryError.
    """
    if "buffer maximal size" not in str(exc):
        return None
    line = _first_long_line(path, data, PARSER_BUFFER_BYTES)
    where = f"line {line} is" if line else "a term is"
    return InputError(
        path,
        f"{where} longer than {PARSER_BUFFER_BYTES:,} bytes: one IRI or literal that size is more than the "
        f"RDF parser holds, so the file is refused; the file is damaged or not meant to be read here"
        f"{what or ' (shorten or split that value)'}",
        line,
    )


def _first_long_line(path: object, data: bytes | None, limit: int) -> int | None:
    import io

    stream = io.BytesIO(data) if data is not None else None
    try:
        fh = stream or open(str(path), "rb")  # noqa: SIM115 -- closed below
    except OSError:
        return None
    with fh:
        line, length = 1, 0
        while chunk := fh.read(1 << 20):
            start = 0
            while (end := chunk.find(b"\n", start)) != -1:
                if length + end - start > limit:
                    return line
                line, length, start = line + 1, 0, end + 1
            length += len(chunk) - start
            if length > limit:
                return line
    return None
