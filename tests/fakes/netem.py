"""A TCP proxy on 127.0.0.1 that misbehaves on demand, like the hotel's line does.

``cut()`` resets every open connection (a router reboot); ``blackhole`` keeps connections open
but drops every byte both ways (a dead NAT mapping: nothing tells either end); ``refuse`` closes
new connections at once (the line is down). Used for the relay link's fault tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket


class FlakyProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.blackhole = False
        self.refuse = False
        self.connections = 0
        self.cuts = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def __aenter__(self) -> FlakyProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        self.cut()
        await self._server.wait_closed()

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
        self._open |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._open -= {writer, up_writer}

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self.blackhole:
                    continue  # swallowed: neither end hears anything
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()


class Balancer:
    """Round-robin TCP load balancer over several backends, skipping ones that refuse — what
    nginx or HAProxy in front of several relays does for Meta's webhooks and the boxes' links."""

    def __init__(self, targets: list[tuple[str, int]]) -> None:
        self.targets = targets
        self.chosen: list[int] = []  # backend index per accepted connection
        self._next = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def __aenter__(self) -> Balancer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._open):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(len(self.targets)):
            index = self._next % len(self.targets)
            self._next += 1
            try:
                up_reader, up_writer = await asyncio.open_connection(*self.targets[index])
            except OSError:
                continue  # that backend is down: the next one
            self.chosen.append(index)
            self._open |= {writer, up_writer}
            await asyncio.gather(_copy(reader, up_writer), _copy(up_reader, writer))
            self._open -= {writer, up_writer}
            return
        writer.transport.abort()  # every backend is down


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.transport.abort()
