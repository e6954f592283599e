"""The privacy office's day in the browser, in Japanese and in English (Playwright, Debian's Chromium).

A privacy officer registers a 1,200-person leak and sees it reportable with its clocks, exports the
PPC report as PDF and sends the notices in four languages to a local SMTP sink; provides data to a
recipient for three people, one without consent, and sees the refusal before confirming; finds a
person by e-mail and withdraws a consent on their behalf; publishes a changed bundle and reads the
diff. An auditor verifies the audit log and cannot change anything; an admin disables a user whose
open session then ends. Every page visited is checked with axe-core (no serious or critical
violation); the English run keeps a screenshot of each main page under ``docs/screenshots/``.
"""

from __future__ import annotations

import io
import os
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader

from mamori.api.app import create_app
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.schema import PolicyBundle
from mamori.security.rules import Role
from tests.bundles import copy_default_bundle, edit
from tests.factories.consents import record_consent
from tests.factories.inquiries import PASSWORD, create_staff
from tests.factories.staff import Phone, enrol_second_factor
from tests.factories.subjects import create_subject
from tests.unit.notify.test_backends import Sink, _serve

AXE = Path(__file__).resolve().parents[2] / "vendor" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def _keep(page: Page, path: Path) -> None:
    """Update the guide's screenshot only when asked (MAMORI_SCREENSHOTS=1): tests never write to docs/."""
    if os.environ.get("MAMORI_SCREENSHOTS") == "1":
        page.screenshot(path=str(path), full_page=True)


PEOPLE = {
    "ja": "hanako@example.jp",
    "en": "emma@example.com",
    "zh-Hans": "wang@example.cn",
    "zh-Hant": "chen@example.tw",
}
BUREAU = "recipient:sample_credit_bureau"
WORDS = {  # what the page says, in the language of the run
    "ja": {
        "reportable": "個人情報保護委員会への報告対象です。",
        "refused": "提供できない本人とその理由",
        "withdrawn": "本人に代わって同意を撤回しました。",
        "intact": "ログは改ざんされていません。",
        "published": "第2版を公開しました。",
        "disabled": "ユーザーを無効にしました。",
    },
    "en": {
        "reportable": "Reportable to the Personal Information Protection Commission.",
        "refused": "Refused, and why",
        "withdrawn": "The consent was withdrawn on the person's behalf.",
        "intact": "The log is intact.",
        "published": "Version 2 was published.",
        "disabled": "The user was disabled",
    },
}


@dataclass
class Office:
    url: str
    database_url: str
    sink: Sink
    phones: dict[str, Phone]


@pytest.fixture
def office(fresh_database_url: str, bundle: PolicyBundle) -> Iterator[Office]:
    """A server on a fresh database (policy published), mail to a local SMTP sink, staff and people."""
    del bundle
    for sink, port in _serve(Sink()):
        url = fresh_database_url
        settings = Settings(database_url=url, mail_backend="smtp", smtp_port=port, _env_file=None)
        phones = _staff_and_people(fresh_database_url, settings)
        with _server(settings) as url:
            yield Office(url, fresh_database_url, sink, phones)


def _staff_and_people(url: str, settings: Settings) -> dict[str, Phone]:
    engine = make_engine(url)
    phones = {}
    with unit_of_work(make_session_factory(engine)) as session:
        staff = (
            ("officer", Role.PRIVACY_OFFICER),
            ("auditor", Role.AUDITOR),
            ("admin", Role.ADMIN),
            ("agent", Role.AGENT),
        )
        for name, role in staff:
            phones[name] = Phone(enrol_second_factor(session, create_staff(session, name, role), settings))
        for lang, email in PEOPLE.items():
            person = create_subject(
                session,
                settings,
                identifiers=[("email", email)],
                language=lang,
                jurisdiction="CN" if lang == "zh-Hans" else "JP",
            )
            if email != PEOPLE["en"]:  # Emma never agreed to the credit bureau
                record_consent(session, person, scope=BUREAU)
            record_consent(session, person, scope="purpose:customer.mailings")
    engine.dispose()
    return phones


class _server:  # noqa: N801 - used as a context manager, like contextlib's helpers
    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.listener]}, daemon=True
        )

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start within 20 s"
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.listener.close()
        self.app.state.runtime.engine.dispose()


def _context(browser: Browser) -> BrowserContext:
    # axe is added to each page as a script, which the console's CSP (own-origin scripts only) would refuse
    return browser.new_context(
        bypass_csp=True, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )


def _axe(page: Page) -> None:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document)).violations.map(v => [v.id, v.impact, v.nodes.length])"
    )
    bad = [v for v in found if v[1] in {"serious", "critical"}]
    assert not bad, f"{page.url}: {bad}"


def _visit(page: Page, office: Office, path: str, lang: str, shot: str | None = None) -> None:
    page.goto(f"{office.url}{path}{'&' if '?' in path else '?'}lang={lang}")
    _axe(page)
    if shot and lang == "en":
        SHOTS.mkdir(parents=True, exist_ok=True)
        _keep(page, SHOTS / f"console-{shot}.png")


def _sign_in(page: Page, office: Office, name: str, lang: str) -> None:
    page.goto(f"{office.url}/console/login?lang={lang}")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.fill("#code", office.phones[name].code())
    page.locator("form button[type=submit]").first.click()
    expect(page.locator(".user-name")).to_have_text(name)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_officer_registers_a_reportable_leak_exports_the_report_and_tells_people(
    browser: Browser, office: Office, lang: str, tmp_path: Path
) -> None:
    page = _context(browser).new_page()
    _sign_in(page, office, "officer", lang)
    _visit(page, office, "/console/incidents/new", lang, "incident-new")
    page.check("input[name=data_items][value=email]")
    page.fill("#persons-known", "1200")
    expect(page.locator("#answer")).to_contain_text(WORDS[lang]["reportable"])  # answered as typed (script)
    page.locator("#incident-form button[type=submit]:not([formaction])").click()
    expect(page.locator("tr.clock")).to_have_count(3)  # PPC preliminary and final, notices to persons
    _axe(page)
    page.fill("#people", "\n".join(PEOPLE.values()))
    page.locator("form[action$='/people'] button").click()
    page.locator("#reports-head ~ details summary").click()
    page.fill("#item-summary", "会員向けメールの宛先を誤って公開した")
    page.locator("form[action$='/reports'] button").click()
    with page.expect_download() as download:
        page.locator("a[href$='.pdf']").first.click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "会員向けメール" in text
    if lang == "en":
        _visit(page, office, page.url.split("?")[0].removeprefix(office.url), lang, "incident")
    page.locator("form[action$='/notices/preview'] button").click()
    expect(page.locator("section[lang]")).to_have_count(4)
    _axe(page)
    page.locator("form[action$='/notices'] button").click()
    deadline = time.monotonic() + 30
    while len(office.sink.received) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(r[0] for _, r, _ in office.sink.received) == sorted(PEOPLE.values())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_officer_sees_the_refusal_before_confirming_a_provision(
    browser: Browser, office: Office, lang: str
) -> None:
    page = _context(browser).new_page()
    _sign_in(page, office, "officer", lang)
    _visit(page, office, "/console/provisions/new", lang, "provision-gate")
    page.select_option("#recipient", "sample_credit_bureau")
    page.fill("#people", "\n".join([PEOPLE["ja"], PEOPLE["en"], PEOPLE["zh-Hant"]]))
    page.check("input[name=items][value=name]")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("#refused-head")).to_have_text(WORDS[lang]["refused"])
    expect(page.locator("#would-refuse")).to_have_text("1")
    expect(page.locator("tbody th[scope=row]").first).to_have_text(PEOPLE["en"])
    _axe(page)
    if lang == "en":
        _keep(page, SHOTS / "console-provision-preview.png")
    page.locator("form[action='/console/provisions'] button[type=submit]").click()
    expect(page.locator("dl.facts")).to_contain_text("2")
    _visit(page, office, "/console/provisions", lang, "provisions")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_officer_finds_a_person_by_email_and_withdraws_a_consent(
    browser: Browser, office: Office, lang: str
) -> None:
    page = _context(browser).new_page()
    _sign_in(page, office, "officer", lang)
    _visit(page, office, "/console/people", lang, "people")
    page.select_option("#kind", "email")
    page.fill("#value", PEOPLE["en"])
    page.locator("form[action='/console/people/find'] button").click()
    assert "example.com" not in page.url  # the address never travels in a URL
    _axe(page)
    row = page.locator("tr", has_text="purpose:customer.mailings")
    row.locator("button").click()
    expect(page.locator("p.success")).to_have_text(WORDS[lang]["withdrawn"])
    if lang == "en":
        _keep(page, SHOTS / "console-person.png")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_officer_publishes_a_changed_bundle_and_reads_the_diff(
    browser: Browser, office: Office, lang: str, tmp_path: Path
) -> None:
    folder = copy_default_bundle(tmp_path)
    edit(folder, "purposes.yaml", "selling in shops and online", "selling in shops, online and by catalogue")
    with (folder / "bundle.yaml").open("a", encoding="utf-8") as handle:
        handle.write(JUSTIFICATION)  # a reworded purpose is published only with the author's word on it
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    (tmp_path / "policy.zip").write_bytes(buffer.getvalue())
    page = _context(browser).new_page()
    _sign_in(page, office, "officer", lang)
    _visit(page, office, "/console/policy", lang, "policy")
    page.check("#source-upload")
    page.set_input_files("#bundle-zip", str(tmp_path / "policy.zip"))
    page.locator("button[name=publish]").click()
    expect(page.locator("p.success")).to_contain_text(WORDS[lang]["published"])
    page.locator("a[href*='/console/policy/diff']").first.click()
    expect(page.locator("table.diff")).to_contain_text("by catalogue" if lang == "en" else "customer.sales")
    _axe(page)
    if lang == "en":
        _keep(page, SHOTS / "console-policy-diff.png")


JUSTIFICATION = """
change_justifications:
  - purpose: customer.sales
    kind: reasonably_related
    text:
      ja: カタログによる販売は、店舗及び通信販売による販売と合理的に関連します。
      en: "Selling by catalogue is reasonably related to selling in shops and online."
      zh-Hans: 通过目录销售与在店铺和网上销售具有合理关联。
      zh-Hant: 透過型錄銷售與在店鋪和網路銷售具有合理關聯。
"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_auditor_verifies_the_log_and_cannot_change_anything(
    browser: Browser, office: Office, lang: str
) -> None:
    page = _context(browser).new_page()
    _sign_in(page, office, "auditor", lang)
    _visit(page, office, "/console/audit", lang, "audit")
    page.locator("form[action='/console/audit/verify'] button").click()
    expect(page.locator(".success")).to_contain_text(WORDS[lang]["intact"])
    expect(page.locator("pre.anchor")).to_contain_text("mamori-audit-anchor/1")
    _axe(page)
    if lang == "en":
        _keep(page, SHOTS / "console-audit-verify.png")
    for path in ("/console/provisions/new", "/console/incidents/new", "/console/users"):
        assert page.goto(f"{office.url}{path}").status == 403  # type: ignore[union-attr]
    _visit(page, office, "/console/jobs", lang)
    assert page.locator("form[action$='/retry']").count() == 0
    _visit(page, office, "/console/policy", lang)
    assert page.locator("form[action='/console/policy/check']").count() == 0


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_admin_disables_a_user_whose_open_session_then_ends(
    browser: Browser, office: Office, lang: str
) -> None:
    agent = _context(browser).new_page()
    _sign_in(agent, office, "agent", lang)
    admin = _context(browser).new_page()
    _sign_in(admin, office, "admin", lang)
    _visit(admin, office, "/console/users", lang, "users")
    admin.locator("form[action='/console/users/agent/active'] button").click()
    expect(admin.locator("p.success")).to_contain_text(WORDS[lang]["disabled"])
    agent.goto(f"{office.url}/console/inquiries")
    assert re.search(r"/console/login", agent.url)
    _visit(admin, office, "/console/jobs", lang, "jobs")
    _visit(admin, office, "/console/datamap", lang, "datamap")
    _visit(admin, office, "/console/incidents", lang, "incidents")
