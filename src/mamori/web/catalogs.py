"""Keep the gettext catalogs of the web pages in step with the texts the templates and code use.

Which domain a file's texts belong to follows from where the file is:

- ``templates/console/<room>/…`` and ``console/<room>.py``  → ``console_<room>``
- ``templates/public/<room>/…`` and ``public/<room>.py``    → ``public_<room>``
- the console's shared parts (``templates/console/*.html``, ``console/shell.py``, …) → ``console``
- everything else under ``web/`` (``base.html``, …)          → ``web``

``scripts/catalogs update`` writes each domain's ``.po`` file in every language (new texts empty,
English filled with the msgid, texts no longer used dropped); ``scripts/catalogs check`` and the
unit test list what is missing or stale. Translators work on the ``.po`` files.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import write_po

from mamori.web.i18n import LOCALE, LOCALE_DIRS, WEB, read_catalog

KEYWORDS = {**DEFAULT_KEYWORDS, "gettext_for": (2,)}
JINJA_OPTIONS = {"trimmed": "true", "trim_blocks": "true", "lstrip_blocks": "true", "extensions": ""}
AREAS = ("console", "public")
Msgid = str | tuple[str, ...]


def domain_of(path: Path) -> str:
    """The catalog domain of a template or module under ``web/``."""
    parts = path.relative_to(WEB).parts
    if parts[0] == "templates":
        parts = parts[1:]
    area = parts[0]
    if area in AREAS and len(parts) > 2:  # noqa: PLR2004 - <area>/<room>/<file>
        return f"{area}_{parts[1]}"
    if area in AREAS and len(parts) == 2 and parts[1].endswith(".py") and not parts[1].startswith("_"):  # noqa: PLR2004
        room = parts[1].removesuffix(".py")
        return area if room == "shell" else f"{area}_{room}"
    return area if area in AREAS else "web"


def sources() -> list[Path]:
    return sorted([*WEB.rglob("*.py"), *(WEB / "templates").rglob("*.html")])


def used_by_domain() -> dict[str, dict[Msgid, list[tuple[str, int]]]]:
    """Every msgid the templates and code use, by domain, with where each is used."""
    found: dict[str, dict[Msgid, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for path in sources():
        method = "jinja2" if path.suffix == ".html" else "python"
        options = JINJA_OPTIONS if method == "jinja2" else {}
        for line, message, _comments, _context in extract_from_file(
            method, str(path), KEYWORDS, options=options
        ):
            msgid: Msgid = message if isinstance(message, str) else tuple(m for m in message if m)
            if msgid:
                found[domain_of(path)][msgid].append((str(path.relative_to(WEB)), line))
    return {domain: dict(messages) for domain, messages in found.items()}


def po_path(lang: str, domain: str) -> Path:
    return LOCALE / LOCALE_DIRS[lang] / "LC_MESSAGES" / f"{domain}.po"


def problems() -> list[str]:
    """What a translator or developer must fix: missing, empty, fuzzy, unused or conflicting texts."""
    used, found = used_by_domain(), []
    for lang in LOCALE_DIRS:
        seen: dict[str, tuple[str, object]] = {}
        for domain, messages in sorted(used.items()):
            path = po_path(lang, domain)
            catalog = read_catalog(path) if path.exists() else Catalog()
            held = {m.id: m for m in catalog if m.id}
            for msgid in messages:
                message = held.get(msgid)
                strings = message.string if message else None
                values = strings if isinstance(strings, tuple) else (strings,)
                if message is None or not all(values) or message.fuzzy:
                    found.append(
                        f"{lang}/{domain}: no translation of {msgid!r} (used in {messages[msgid][0][0]})"
                    )
                    continue
                key = msgid if isinstance(msgid, str) else msgid[0]
                if key in seen and seen[key][1] != message.string:
                    found.append(f"{lang}: {key!r} is translated differently in {seen[key][0]} and {domain}")
                seen[key] = (domain, message.string)
            found += [f"{lang}/{domain}: {m!r} is no longer used" for m in held if m not in messages]
        found += [
            f"{lang}: catalog {p.name} has no texts in use" for p in _po_files(lang) if p.stem not in used
        ]
    return found


def _po_files(lang: str) -> list[Path]:
    return sorted((LOCALE / LOCALE_DIRS[lang] / "LC_MESSAGES").glob("*.po"))


def update() -> list[Path]:
    """Write every domain's catalog in every language from what the sources use; the paths written."""
    written = []
    for domain, messages in sorted(used_by_domain().items()):
        template = Catalog(domain=domain)
        for msgid, locations in messages.items():
            template.add(msgid, locations=locations)
        for lang, folder in LOCALE_DIRS.items():
            path = po_path(lang, domain)
            catalog = read_catalog(path) if path.exists() else Catalog(locale=folder, domain=domain)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.project, catalog.version, catalog.fuzzy = "Mamori", "", False
            catalog.header_comment = (
                f"# Mamori web pages, domain {domain}, language {lang}. Edit msgstr only."
            )
            if lang == "en":
                for message in catalog:
                    if message.id and not message.string:
                        message.string = message.id if isinstance(message.id, str) else tuple(message.id)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(
                    handle, catalog, ignore_obsolete=True, sort_output=True, width=0, include_lineno=False
                )
            written.append(path)
    return written
