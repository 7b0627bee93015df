"""uvicorn's httptools protocol with the limits a public server needs on the request head.

uvicorn times out idle keep-alive connections, but not a request whose head never ends (slowloris),
nor a connection that never sends anything, and it answers an over-long URL with a bare
"Invalid HTTP request received". :class:`GuardedHttpToolsProtocol` adds:

* a **head timeout**: the request line and headers must arrive within ``head_timeout`` seconds of
  the connection (or of the end of the previous request), else ``408 Request Timeout`` and close;
* a **URL limit**: a request target longer than ``MAX_URL`` bytes gets ``414 URI Too Long`` with a
  message saying to send long SPARQL queries with POST;
* a **head size limit**: more than ``MAX_HEAD`` bytes of request line and headers get ``431``;
* a **body timeout**: a request that announces a body (``Content-Length`` or chunked) must deliver all
  of it within ``body_timeout`` seconds of the end of its head, else ``408 Request Timeout`` and close
  (a body trickled a byte at a time does not extend the deadline).

Every check is constant work per byte received, on the event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

if TYPE_CHECKING:
    import asyncio
    from typing import Any

__all__ = ["GuardedHttpToolsProtocol", "MAX_HEAD", "MAX_URL"]

#: Longest request target (path and query string) accepted, in bytes.
MAX_URL = 32 * 1024
#: Largest request head (request line and headers) accepted, in bytes.
MAX_HEAD = 64 * 1024


class _Refused(Exception):
    pass


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol plus a head timeout and URL / head size limits (see the module text)."""

    head_timeout: float = 10.0
    body_timeout: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._in_head = True
        self._head_bytes = 0
        self._refusal: tuple[int, str] | None = None

    # -- the head timer ---------------------------------------------------------------------------

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self._refuse(408, f"the request head did not arrive within {self.head_timeout:g} s")

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._disarm_body()
        super().connection_lost(exc)

    # -- the body timer ---------------------------------------------------------------------------

    def _expects_body(self) -> bool:
        for name, value in self.headers:
            if name == b"content-length":
                return value.strip() not in (b"", b"0")
            if name == b"transfer-encoding":
                return True
        return False

    def _disarm_body(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()  # the answer is under way: only the connection can be cut
            return
        self._refuse(
            408,
            f"the request body did not arrive within {self.body_timeout:g} s of the request headers; "
            "send the whole body at once",
        )

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._in_head, self._head_bytes = True, 0
            self._arm()

    # -- limits -----------------------------------------------------------------------------------

    def _refuse(self, status: int, message: str) -> None:
        body = (message + "\n").encode("utf-8")
        self.transport.write(
            b"".join(
                [
                    STATUS_LINE[status],
                    b"content-type: text/plain; charset=utf-8\r\n",
                    b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                    b"connection: close\r\n\r\n",
                    body,
                ]
            )
        )
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None or self.transport.is_closing():
            return
        if self._in_head:
            self._arm()
        try:
            super().data_received(data)
        finally:
            if self._refusal is not None:
                self._disarm()

    def on_message_begin(self) -> None:
        self._in_head, self._head_bytes = True, 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        if len(self.url) + len(url) > MAX_URL:
            self._refusal = (
                414,
                f"the request URL is longer than {MAX_URL} bytes; send a long SPARQL query "
                "with POST (Content-Type: application/sparql-query) instead of GET",
            )
            raise _Refused()
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        if self._head_bytes + len(self.url) > MAX_HEAD:
            self._refusal = (431, f"the request headers are larger than {MAX_HEAD} bytes")
            raise _Refused()
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        super().on_headers_complete()
        if self._expects_body() and self._body_timer is None:
            self._body_timer = self.loop.call_later(self.body_timeout, self._body_timed_out)

    def on_message_complete(self) -> None:
        self._disarm_body()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        # The parser reports an exception raised by a callback as a parse error: answer the real reason.
        if self._refusal is not None:
            self._refuse(*self._refusal)
        else:
            super().send_400_response(msg)
