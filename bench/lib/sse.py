"""A minimal Server-Sent Events client on asyncio streams (HTTP/1.1, chunked),
so hundreds of boards can be held open by one process without extra libraries."""

from __future__ import annotations

import asyncio
import json


class SSEClient:
    def __init__(self, host: str, port: int, path: str):
        self.host, self.port, self.path = host, port, path
        self.reader = self.writer = None
        self._buf = b""

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n".encode()
        )
        await self.writer.drain()
        status = await self.reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"SSE connect failed: {status!r}")
        self.chunked = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower():
                self.chunked = True
        return self

    async def _more(self):
        if not self.chunked:
            data = await self.reader.read(65536)
            if not data:
                raise ConnectionError("closed")
            self._buf += data
            return
        size_line = await self.reader.readline()
        if not size_line:
            raise ConnectionError("closed")
        size = int(size_line.strip().split(b";")[0] or b"0", 16)
        if size == 0:
            raise ConnectionError("stream ended")
        self._buf += await self.reader.readexactly(size)
        await self.reader.readexactly(2)

    async def event(self) -> tuple[str, dict | str | None]:
        """The next event as (name, data); comments and retry lines are skipped."""
        while True:
            while b"\n\n" not in self._buf:
                await self._more()
            raw, self._buf = self._buf.split(b"\n\n", 1)
            name, data = "message", []
            for line in raw.decode().split("\n"):
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
            if not data:
                continue
            text = "\n".join(data)
            try:
                return name, json.loads(text)
            except ValueError:
                return name, text

    def close(self):
        if self.writer is not None:
            self.writer.close()
