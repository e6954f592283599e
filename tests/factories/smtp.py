"""A real SMTP server (aiosmtpd) on a free local port, for tests that send mail over the protocol."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller


@contextmanager
def running_sink(handler: Any) -> Iterator[int]:
    """Serve ``handler`` (an aiosmtpd handler, e.g. ``test_backends.Sink``) on a free port; yield the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
