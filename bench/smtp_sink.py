"""A fast SMTP sink for benchmarks: several processes on one port, each counting what it accepts.

Run:  python bench/smtp_sink.py --port 2525 --processes 2 --out /tmp/sink
Each process (SO_REUSEPORT, so the kernel spreads connections) speaks the part of SMTP a sender
needs (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; PIPELINING advertised), keeps the
Message-ID of each accepted message, and on SIGTERM writes them to ``<out>.<n>`` (one per line)
so the caller can check how many arrived and that none was repeated. aiosmtpd's sink parses
every message and tops out well below a campaign's rate on a loaded machine; this one does not
look inside the message beyond its Message-ID header.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import signal
import socket
import tempfile
from pathlib import Path

END = b"\r\n.\r\n"


class SinkProtocol(asyncio.Protocol):
    def __init__(self, ids: list[bytes]) -> None:
        self.ids = ids
        self.buffer = b""
        self.in_data = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(b"220 sink ESMTP\r\n")  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies: list[bytes] = []
        while True:
            if self.in_data:
                end = self.buffer.find(END)
                if end < 0:
                    break
                message, self.buffer = self.buffer[: end + 2], self.buffer[end + len(END) :]
                self.ids.append(_message_id(message))
                self.in_data = False
                replies.append(b"250 2.0.0 accepted\r\n")
                continue
            line, sep, rest = self.buffer.partition(b"\r\n")
            if not sep:
                break
            self.buffer = rest
            replies.append(self._command(line))
            if replies[-1].startswith(b"221"):
                break
        if replies and self.transport is not None:
            self.transport.write(b"".join(replies))
            if replies[-1].startswith(b"221"):
                self.transport.close()

    def _command(self, line: bytes) -> bytes:
        verb = line[:4].upper()
        if verb == b"EHLO":
            return b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n"
        if verb == b"DATA":
            self.in_data = True
            return b"354 end with <CRLF>.<CRLF>\r\n"
        if verb == b"QUIT":
            return b"221 bye\r\n"
        return b"250 OK\r\n"  # HELO, MAIL, RCPT, RSET, NOOP


def _message_id(message: bytes) -> bytes:
    head = message.partition(b"\r\n\r\n")[0]
    for line in head.split(b"\r\n"):
        if line[:11].lower() == b"message-id:":
            return line[11:].strip()
    return b""


def serve(port: int, out: Path, ready: multiprocessing.synchronize.Event) -> None:
    ids: list[bytes] = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        server = await loop.create_server(lambda: SinkProtocol(ids), sock=sock, backlog=256)
        ready.set()
        await stop.wait()
        server.close()

    asyncio.run(main())
    out.write_bytes(b"".join(i + b"\n" for i in ids))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    """``processes`` sink processes on one port; :meth:`stop` returns every Message-ID received."""

    def __init__(self, out: Path, processes: int = 2) -> None:
        self.port = free_port()
        self.out = out
        context = multiprocessing.get_context("spawn")
        self.events = [context.Event() for _ in range(processes)]
        self.procs = [
            context.Process(target=serve, args=(self.port, out.with_suffix(f".{n}"), event), daemon=True)
            for n, event in enumerate(self.events)
        ]
        for proc in self.procs:
            proc.start()
        for event in self.events:
            if not event.wait(180):  # a loaded machine imports slowly
                raise SystemExit("the SMTP sink did not start")

    def stop(self) -> list[bytes]:
        ids: list[bytes] = []
        for n, proc in enumerate(self.procs):
            proc.terminate()  # SIGTERM: the process writes what it received
            proc.join(60)
            path = self.out.with_suffix(f".{n}")
            ids += path.read_bytes().splitlines() if path.exists() else []
            path.unlink(missing_ok=True)
        return ids


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "mamori-sink")
    args = parser.parse_args()
    sink = Sink(args.out, args.processes)
    print(f"listening on 127.0.0.1:{sink.port}; Ctrl+C to stop", flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        print(f"received {len(sink.stop())} messages")
