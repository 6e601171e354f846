"""sd_notify without systemd-python: one datagram to $NOTIFY_SOCKET.

systemd-python needs a C build and apt packages; the protocol is a single AF_UNIX datagram
("READY=1", "STATUS=…", "WATCHDOG=1"), with a leading "@" meaning the abstract namespace.
Without NOTIFY_SOCKET (not under systemd) every call is a harmless no-op.
"""

from __future__ import annotations

import os
import socket


def notify(*states: str) -> bool:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address or not states:
        return False
    target = "\0" + address[1:] if address.startswith("@") else address
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(target)
            sock.sendall("\n".join(states).encode())
        return True
    except OSError:
        return False
