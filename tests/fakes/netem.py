"""A TCP proxy on 127.0.0.1 that misbehaves on demand, like the hotel's line does.

``cut()`` resets every open connection (a router reboot); ``blackhole`` keeps connections open
but drops every byte both ways (a dead NAT mapping: nothing tells either end); ``refuse`` closes
new connections at once (the line is down). Used for the relay link's fault tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Self


class _Proxy:
    """A listening socket on 127.0.0.1 that splices each accepted connection to an upstream one."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        self._close_open()
        await self._server.wait_closed()

    def _close_open(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _splice(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        self._open |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._open -= {writer, up_writer}

    def _swallow(self) -> bool:
        return False  # what arrives is passed on

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self._swallow():
                    continue
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()


class FlakyProxy(_Proxy):
    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__()
        self.target = (target_host, target_port)
        self.blackhole = False
        self.refuse = False
        self.connections = 0
        self.cuts = 0

    def _close_open(self) -> None:
        self.cut()

    def cut(self) -> None:
        """Reset every open connection (RST, not FIN: the peers learn of it only on their next I/O)."""
        self.cuts += 1
        for writer in list(self._open):
            sock = writer.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            writer.transport.abort()
        self._open.clear()

    def _swallow(self) -> bool:
        return self.blackhole  # neither end hears anything

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refuse:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        await self._splice(reader, writer, up_reader, up_writer)


class Balancer(_Proxy):
    """Round-robin TCP load balancer over several backends, skipping ones that refuse — what
    nginx or HAProxy in front of several relays does for Meta's webhooks and the boxes' links."""

    def __init__(self, targets: list[tuple[str, int]]) -> None:
        super().__init__()
        self.targets = targets
        self.chosen: list[int] = []  # backend index per accepted connection
        self._next = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(len(self.targets)):
            index = self._next % len(self.targets)
            self._next += 1
            try:
                up_reader, up_writer = await asyncio.open_connection(*self.targets[index])
            except OSError:
                continue  # that backend is down: the next one
            self.chosen.append(index)
            await self._splice(reader, writer, up_reader, up_writer)
            return
        writer.transport.abort()  # every backend is down
