"""Rendering of the server-rendered pages (autoescaping on for every template).

Every template is rendered by the Jinja environment of its page's language
(:func:`mamori.web.i18n.environment`), so any template may use ``{% trans %}`` and ``_()``.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from mamori.web.demo import banner_text, demo_banner, set_demo
from mamori.web.i18n import TEMPLATES, language_of
from mamori.web.i18n import environment as language_environment

__all__ = ["TEMPLATES", "banner_text", "demo_banner", "environment", "render", "set_demo"]


def environment(lang: str = "ja") -> Environment:
    """The environment of ``lang`` (one per language; templates are loaded once and cached by Jinja)."""
    return language_environment(language_of(lang))


def render(template: str, **context: Any) -> str:
    """``template`` in the language named by ``context["lang"]`` (Japanese when there is none)."""
    return environment(str(context.get("lang") or "ja")).get_template(template).render(**context)
