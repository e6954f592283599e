"""Refuse control characters (NUL first of all) in any request before a handler runs; read forms right.

PostgreSQL cannot store NUL in text and answers with an error (a 500 before this guard, reachable
without an account through the console login); the other C0 controls garble exports and screens.
Checked once for every entry point: the query string, and JSON or form bodies (a JSON string can
hold a control character only as a ``\\u00XX`` escape). Tab, line feed and carriage return stay
allowed in bodies (messages have lines). Multipart uploads are files and pass through.

A form body is read in the charset its Content-Type declares (``charset=Shift_JIS`` from an old
browser or a script) and handed on as UTF-8; one that is not text in that charset (UTF-8 when none
is declared) is refused, instead of being stored with replacement characters.
"""

from __future__ import annotations

import codecs
import json
import re
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mamori.validation import control_character

_JSON_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u00(?:[01][0-9a-f]|7f|[89][0-9a-f])", re.IGNORECASE)
_ALLOWED_ESCAPES = {b"\\u0009", b"\\u000a", b"\\u000d"}
MESSAGE = "the request contains a control character (such as NUL), which is not accepted"
CHARSET_MESSAGE = "the form is not UTF-8 text (nor in the charset its Content-Type declares)"
PAGES = {
    "control": (
        "入力に使えない制御文字（NUL など）が含まれています。\n"
        f"{MESSAGE}.\n"
        "请求中含有不可使用的控制字符（如 NUL）。\n"
        "請求中含有不可使用的控制字元（如 NUL）。\n"
    ),
    "charset": (
        "送信された内容の文字コードを読み取れません（UTF-8 で送信してください）。\n"
        f"{CHARSET_MESSAGE}; send it as UTF-8.\n"
        "无法识别所提交内容的字符编码（请以 UTF-8 提交）。\n"
        "無法識別所提交內容的字元編碼（請以 UTF-8 提交）。\n"
    ),
}
MAX_CHECKED_BODY = 16 * 1024 * 1024


def _bad_text(raw: bytes, *, multiline: bool) -> bool:
    text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")
    return control_character(text, multiline=multiline) is not None


def _bad_json(raw: bytes) -> bool:
    return any(found.group(0)[-6:].lower() not in _ALLOWED_ESCAPES for found in _JSON_ESCAPE.finditer(raw))


def _content_type(scope: Scope) -> tuple[bytes, str | None]:
    """The media type and the declared charset (None when not given)."""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind, *params = bytes(value).split(b";")
            charset = None
            for param in params:
                key, _, val = param.strip().partition(b"=")
                if key.lower() == b"charset":
                    charset = val.strip(b" \"'").decode("latin-1")
            return kind.strip().lower(), charset
    return b"", None


def _form(body: bytes, charset: str | None) -> list[tuple[str, str]] | None:
    """The form's fields read in ``charset`` (UTF-8 by default); None when it is not that text."""
    try:
        encoding = codecs.lookup(charset or "utf-8").name
        text = body.decode(encoding)
        return parse_qsl(text, keep_blank_values=True, encoding=encoding, errors="strict")
    except (LookupError, UnicodeDecodeError, ValueError):
        return None


def _check_body(kind: bytes, charset: str | None, body: bytes) -> tuple[str | None, bytes | None]:
    """(why it is refused, or None; the body re-encoded as UTF-8 when it came in another charset)."""
    if len(body) > MAX_CHECKED_BODY:
        return None, None
    if kind == b"application/json":
        return ("control" if _bad_json(body) else None), None
    fields = _form(body, charset)
    if fields is None:
        return "charset", None
    if any(control_character(value) is not None for _, value in fields):
        return "control", None
    if charset is not None and codecs.lookup(charset).name != "utf-8":
        return None, urlencode(fields).encode("ascii")
    return None, None


def _as_utf8(scope: Scope, body: bytes) -> Scope:
    headers = [
        (name, value)
        for name, value in scope.get("headers", [])
        if name not in {b"content-type", b"content-length"}
    ]
    headers += [
        (b"content-type", b"application/x-www-form-urlencoded; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    return {**scope, "headers": headers}


class InputGuard:
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
        kind, charset = _content_type(scope)
        if kind not in {b"application/json", b"application/x-www-form-urlencoded"}:
            await self.app(scope, receive, send)
            return
        messages, body = await _read(receive)
        refusal, new_body = _check_body(kind, charset, body)
        if refusal is not None:
            await self._refuse(scope, send, reason=refusal)
            return
        if new_body is not None:  # a form in another charset, handed on as UTF-8
            scope = _as_utf8(scope, new_body)
            messages = [{"type": "http.request", "body": new_body, "more_body": False}]
        await self.app(scope, _replay(messages, receive), send)

    async def _refuse(self, scope: Scope, send: Send, reason: str = "control") -> None:
        path = str(scope.get("path", ""))
        if path.startswith(self.api_prefix):
            status, media = 422, b"application/problem+json"
            content = {
                "type": "https://mamori.dev/problems/validation-failed",
                "title": "Unprocessable Content",
                "status": status,
                "detail": MESSAGE if reason == "control" else CHARSET_MESSAGE,
                "instance": path,
            }
            body = json.dumps(content, separators=(",", ":")).encode()
        else:
            status, media = 400, b"text/plain; charset=utf-8"
            body = PAGES[reason].encode()
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
