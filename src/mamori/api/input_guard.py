"""Refuse control characters (NUL first of all) in any request, API or page, before a handler runs.

PostgreSQL cannot store NUL in text and answers with an error (a 500 before this guard, reachable
without an account through the console login); the other C0 controls garble exports and screens.
Checked once for every entry point: the query string, and JSON or form bodies (a JSON string can
hold a control character only as a ``\\u00XX`` escape, a form value only as ``%XX``). Tab, line
feed and carriage return stay allowed in bodies (messages have lines). Multipart uploads are files
and pass through.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mamori.validation import control_character

_JSON_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u00(?:[01][0-9a-f]|7f|[89][0-9a-f])", re.IGNORECASE)
_ALLOWED_ESCAPES = {b"\\u0009", b"\\u000a", b"\\u000d"}
MESSAGE = "the request contains a control character (such as NUL), which is not accepted"
MAX_CHECKED_BODY = 16 * 1024 * 1024


def _bad_text(raw: bytes, *, multiline: bool) -> bool:
    text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")
    return control_character(text, multiline=multiline) is not None


def _bad_json(raw: bytes) -> bool:
    return any(found.group(0)[-6:].lower() not in _ALLOWED_ESCAPES for found in _JSON_ESCAPE.finditer(raw))


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return bytes(value).split(b";")[0].strip().lower()
    return b""


class ControlCharacterGuard:
    """ASGI middleware: 422 problem+json under /api/, 400 text on pages."""

    def __init__(self, app: ASGIApp, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _bad_text(scope.get("query_string", b""), multiline=False):
            await self._refuse(scope, send)
            return
        kind = _content_type(scope)
        if kind not in {b"application/json", b"application/x-www-form-urlencoded"}:
            await self.app(scope, receive, send)
            return
        messages, body = await _read(receive)
        if len(body) <= MAX_CHECKED_BODY and (
            _bad_json(body) if kind == b"application/json" else _bad_text(body, multiline=True)
        ):
            await self._refuse(scope, send)
            return
        await self.app(scope, _replay(messages, receive), send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        path = str(scope.get("path", ""))
        if path.startswith(self.api_prefix):
            status, media = 422, b"application/problem+json"
            content = {
                "type": "https://mamori.dev/problems/validation-failed",
                "title": "Unprocessable Content",
                "status": status,
                "detail": MESSAGE,
                "instance": path,
            }
            body = json.dumps(content, separators=(",", ":")).encode()
        else:
            status, media = 400, b"text/plain; charset=utf-8"
            body = (
                "入力に使えない制御文字（NUL など）が含まれています。\n"
                f"{MESSAGE}.\n"
                "请求中含有不可使用的控制字符（如 NUL）。\n"
                "請求中含有不可使用的控制字元（如 NUL）。\n"
            ).encode()
        headers = [(b"content-type", media), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _read(receive: Receive) -> tuple[list[Message], bytes]:
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return messages, b"".join(chunks)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
