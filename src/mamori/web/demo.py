"""The banner of a demonstration server (``MAMORI_DEMO=true``), in the page's language.

The text is in the gettext catalog ``web`` (``locale/<lang>/LC_MESSAGES/web.po``).
"""

from __future__ import annotations

_STATE = {"demo": False}


def banner_text(lang: str) -> str:
    """The demonstration banner's sentence in ``lang`` (whether or not this server is a demo)."""
    from mamori.web.i18n import gettext_for  # i18n installs demo_banner in every environment

    return gettext_for(
        lang,
        "This is a Mamori demonstration. The organisation, people and contacts shown are samples, "
        "not a real service. Do not enter personal information.",
    )


def demo_banner(lang: str) -> str:
    """The demonstration banner in ``lang`` when this server is a demo, else an empty string."""
    return banner_text(lang) if _STATE["demo"] else ""


def set_demo(*, demo: bool) -> None:
    """Say whether the pages of this process are a demonstration's (the app sets it at start)."""
    _STATE["demo"] = demo
