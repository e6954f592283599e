"""Translations of the web pages: gettext catalogs (Babel), one domain per area and room.

The texts live in ``web/locale/<locale>/LC_MESSAGES/<domain>.po`` with English msgids, one domain
per area and room (``console.po`` for the shared console layout, ``console_requests.po``,
``public_status.po``, ...), so that people working on different rooms never edit the same file.
At first use the domains of a language are merged into one catalog and compiled in memory (no
``.mo`` file is kept in git); the result is installed in a Jinja environment of that language
(``{% trans %}``, ``_()``, ``ngettext``) and handed to code through :func:`translator`.

``scripts/catalogs update`` extracts the msgids (``babel.cfg``) into each domain's ``.po`` files;
``tests/unit/web/test_catalogs.py`` fails when a msgid used in a template or in code has no
translation in some language, or a catalog keeps a msgid that nothing uses any more.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from mamori.policy.schema import LANGUAGES
from mamori.web.demo import demo_banner

WEB = Path(__file__).resolve().parent
TEMPLATES = WEB / "templates"
LOCALE = WEB / "locale"
DEFAULT = "ja"
# Mamori's language codes (BCP 47, as in the policy bundle) and the folders of their catalogs.
LOCALE_DIRS: dict[str, str] = {"ja": "ja", "en": "en", "zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention that Babel's extractor knows
    """Mark a text for extraction where it is defined; translate it where it is shown."""
    return message


def language_of(code: str | None) -> str:
    """``code`` if it names a Mamori language (any case), else the default (Japanese)."""
    wanted = (code or "").strip().lower().replace("_", "-")
    return next((lang for lang in LANGUAGES if lang.lower() == wanted), DEFAULT)


def po_files(lang: str) -> list[Path]:
    return sorted((LOCALE / LOCALE_DIRS[lang] / "LC_MESSAGES").glob("*.po"))


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name, domain=path.stem)


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """All domains of ``lang`` merged and compiled (once per process); English msgids fall through."""
    merged = Catalog(locale=LOCALE_DIRS[language_of(lang)], fuzzy=False)
    for path in po_files(language_of(lang)):
        for message in read_catalog(path):
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    compiled = BytesIO()
    write_mo(compiled, merged)
    compiled.seek(0)
    return Translations(fp=compiled)


def gettext_for(lang: str, message: str, **variables: Any) -> str:
    """``message`` in ``lang`` with ``%(name)s`` placeholders filled (for code that is not a template)."""
    text = translator(lang).gettext(message)
    return text % variables if variables else text


@cache
def environment(lang: str) -> Environment:
    """One Jinja environment per language, gettext installed (newstyle: ``_("%(n)s", n=1)``)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.globals["demo_banner"] = demo_banner
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's line breaks are not part of its msgid
    env.install_gettext_translations(translator(language_of(lang)), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(template: str, lang: str, **context: Any) -> str:
    """``template`` rendered in ``lang`` (``lang`` is in the context too, for ``<html lang>``)."""
    return environment(language_of(lang)).get_template(template).render(lang=language_of(lang), **context)
