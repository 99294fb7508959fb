"""uvicorn's HTTP protocol with a bound on the size of a request's line and headers.

uvicorn's httptools parser has no header limit (its h11 parser has one: we set it too), so a
client could send megabytes of headers and have them held in memory. `header_limited(n)` is the
protocol class to run instead: once more than `n` bytes of a request arrive before its headers
are complete, it answers 431 and closes the connection.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def header_limited(max_bytes: int) -> type[HttpToolsProtocol]:
    """An HttpToolsProtocol subclass that refuses requests whose headers pass `max_bytes`."""

    class HeaderLimitedProtocol(HttpToolsProtocol):
        _pending = 0  # bytes of the current request received before its headers were complete
        _has_headers = False

        def on_headers_complete(self) -> None:
            self._has_headers = True
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._has_headers, self._pending = False, 0

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._has_headers or self.transport.is_closing():
                return
            self._pending += len(data)
            if self._pending > max_bytes:
                self._refuse()

        def _refuse(self) -> None:
            body = json.dumps({"detail": f"request headers are larger than {max_bytes} bytes"}).encode()
            head = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
                    b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n")
            self.transport.write(head + body)
            self.transport.close()

    return HeaderLimitedProtocol
