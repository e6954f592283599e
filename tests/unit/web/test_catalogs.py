"""The web pages' gettext catalogs: every text used has a translation in every language, and back."""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.web import catalogs, i18n


class TestCatalogs:
    def test_every_used_text_is_translated_and_every_translation_used(self) -> None:
        found = catalogs.problems()
        assert not found, "run scripts/catalogs update, then translate:\n" + "\n".join(found)

    def test_a_text_without_a_translation_is_reported(self, monkeypatch: pytest.MonkeyPatch) -> None:
        used = catalogs.used_by_domain()
        used["console"]["A text nobody translated"] = [("templates/console/_layout.html", 1)]
        monkeypatch.setattr(catalogs, "used_by_domain", lambda: used)
        found = catalogs.problems()
        assert any("A text nobody translated" in line and line.startswith("ja/console:") for line in found)
        assert any(line.startswith("zh-Hant/console:") for line in found)

    def test_a_translation_nothing_uses_is_reported(self, monkeypatch: pytest.MonkeyPatch) -> None:
        used = catalogs.used_by_domain()
        del used["console"]["Sign out"]
        monkeypatch.setattr(catalogs, "used_by_domain", lambda: used)
        assert "ja/console: 'Sign out' is no longer used" in catalogs.problems()

    @pytest.mark.parametrize(
        ("path", "domain"),
        [
            ("templates/console/requests/list.html", "console_requests"),
            ("console/requests.py", "console_requests"),
            ("templates/public/status/page.html", "public_status"),
            ("public/status.py", "public_status"),
            ("templates/console/_layout.html", "console"),
            ("console/shell.py", "console"),
            ("templates/base.html", "web"),
            ("staff.py", "web"),
        ],
    )
    def test_the_domain_follows_from_the_files_place(self, path: str, domain: str) -> None:
        assert catalogs.domain_of(i18n.WEB / Path(path)) == domain


class TestTranslations:
    def test_the_domains_of_a_language_are_merged(self) -> None:
        assert i18n.translator("ja").gettext("Sign out") == "ログアウト"  # console.po
        assert i18n.translator("zh-Hant").gettext("Sign in") == "登入"  # console_auth.po

    def test_templates_use_the_pages_language(self) -> None:
        context: dict[str, object] = {
            "staff": None, "csrf_token": "t", "nav": [], "languages": [], "next_path": "/console",
            "username": "", "error": None, "role_name": "",
        }  # fmt: skip
        html = i18n.render("console/auth/login.html", "zh-Hans", **context)
        assert '<html lang="zh-Hans">' in html
        assert "登录控制台" in html

    def test_code_gets_texts_with_their_values(self) -> None:
        assert i18n.gettext_for("en", "Unknown user or wrong password.") == "Unknown user or wrong password."

    def test_an_unknown_language_falls_back_to_japanese(self) -> None:
        assert i18n.language_of("fr") == "ja"
        assert i18n.language_of("ZH_hant") == "zh-Hant"
