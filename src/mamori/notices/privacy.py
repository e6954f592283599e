"""The public privacy notice: choose the reader's language and build the notice from a bundle."""

from __future__ import annotations

from mamori.errors import ValidationFailed
from mamori.notices import messages as m
from mamori.notices.document import (
    Badge,
    Block,
    Entries,
    Entry,
    Fact,
    Facts,
    ItemList,
    Paragraph,
    PrivacyNotice,
    Section,
    Table,
)
from mamori.policy.schema import (
    LANGUAGES,
    ContactCentre,
    JointUse,
    Organisation,
    Outsourcing,
    PolicyBundle,
    Purpose,
    Requests,
    SubjectCategory,
)
from mamori.policy.sections.safety import MeasureKind

DEFAULT_LANGUAGE = "ja"
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})


def negotiate_language(query: str | None, accept_language: str | None) -> str:
    """The notice language: the ``lang`` query if given, else the best Accept-Language match, else ja.

    Raises:
        ValidationFailed: ``query`` names a language Mamori does not publish (the allowed values are listed).
    """
    if query is not None and query.strip():
        wanted = query.strip().lower()
        for code in LANGUAGES:
            if code.lower() == wanted:
                return code
        allowed = ", ".join(LANGUAGES)
        raise ValidationFailed(
            f"unknown language {query!r}; use one of: {allowed}",
            details={"allowed": list(LANGUAGES), "errors": [f"lang: must be one of {allowed}"]},
        )
    for tag in _ranked_tags(accept_language or ""):
        match = _match_tag(tag)
        if match is not None:
            return match
    return DEFAULT_LANGUAGE


def _ranked_tags(header: str) -> list[str]:
    """Language tags of an Accept-Language header, best first; q=0 and malformed entries dropped."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and quality > 0:
            ranked.append((-quality, index, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def _match_tag(tag: str) -> str | None:
    primary, *rest = tag.replace("_", "-").split("-")
    if primary == "ja":
        return "ja"
    if primary == "en":
        return "en"
    if primary != "zh":
        return None
    if "hant" in rest:
        return "zh-Hant"
    if "hans" in rest:
        return "zh-Hans"
    return "zh-Hant" if _TRADITIONAL_REGIONS.intersection(rest) else "zh-Hans"


def build_privacy_notice(
    bundle: PolicyBundle, lang: str, *, version_number: int, content_hash: str
) -> PrivacyNotice:
    """Every promise of ``bundle`` as a notice in ``lang`` (one of ``LANGUAGES``)."""
    if lang not in LANGUAGES:
        raise ValidationFailed(f"unknown language {lang!r}", details={"allowed": list(LANGUAGES)})
    builder = _Builder(bundle, lang)
    sections = [
        builder.commitments(),
        builder.controller(),
        builder.purposes(),
        builder.third_party(),
        builder.joint_use(bundle.joint_use) if bundle.joint_use else None,
        builder.outsourcing(bundle.outsourcing),
        builder.safety_measures() if bundle.safety_measures else None,
        Section("optionality", m.label("optionality", lang), (Paragraph(bundle.optionality.get(lang)),)),
        builder.requests(bundle.requests),
        builder.contact(bundle.contact_centre),
        builder.cookies(),
        builder.cameras() if bundle.cameras and bundle.cameras.entries else None,
        builder.pipl() if bundle.pipl.enabled else None,
        builder.revisions(),
        builder.version(version_number, content_hash),
    ]
    return PrivacyNotice(
        title=bundle.title.get(lang),
        lang=lang,
        controller=bundle.controller.name.get(lang),
        enacted=m.long_date(bundle.enacted, lang),
        version_number=version_number,
        content_hash=content_hash,
        authoritative_note=m.label("authoritative_note", lang),
        sections=tuple(section for section in sections if section is not None),
    )


_SHOWN_FLAGS = (
    "camera_images",
    "profiling",
    "direct_marketing",
    "joint_use",
    "third_party_provision",
    "special_care",
    "staff_monitoring",
)


class _Builder:
    """One section per method; each reads only its part of the bundle."""

    def __init__(self, bundle: PolicyBundle, lang: str) -> None:
        self.bundle = bundle
        self.lang = lang
        self.item_names = {item.id: item.name.get(lang) for item in bundle.data_items}

    def _l(self, key: str) -> str:
        return m.label(key, self.lang)

    def _fact(self, key: str, *lines: str, href: str | None = None) -> Fact:
        return Fact(self._l(key), tuple(lines), href)

    def _items(self, ids: list[str]) -> str:
        return m.join([self.item_names[ident] for ident in ids], self.lang)

    def _organisation(self, org: Organisation) -> tuple[str, ...]:
        lines = [org.name.get(self.lang)]
        if org.representative is not None:
            person = org.representative
            lines.append(f"{person.title.get(self.lang)} {person.name.get(self.lang)}")
        if org.address is not None:
            lines.append(org.address.get(self.lang))
        return tuple(lines)

    def commitments(self) -> Section:
        principles = tuple(text.get(self.lang) for text in self.bundle.principles)
        blocks = (Paragraph(self.bundle.preamble.get(self.lang)), ItemList(principles, ordered=True))
        return Section("commitments", self._l("policy"), blocks)

    def controller(self) -> Section:
        ctl = self.bundle.controller
        rows = [self._fact("name", ctl.name.get(self.lang))]
        if ctl.representative is not None:
            person = ctl.representative
            rows.append(
                self._fact("representative", f"{person.title.get(self.lang)} {person.name.get(self.lang)}")
            )
        if ctl.address is not None:
            rows.append(self._fact("address", ctl.address.get(self.lang)))
        if ctl.website:
            rows.append(self._fact("website", ctl.website, href=ctl.website))
        return Section("controller", self._l("controller"), (Facts(tuple(rows)),))

    def purposes(self) -> Section:
        subsections = tuple(self._category(category) for category in self.bundle.subject_categories)
        intro = (Paragraph(self.bundle.purposes_intro.get(self.lang)),)
        return Section("purposes", self._l("purposes"), intro, subsections)

    def _category(self, category: SubjectCategory) -> Section:
        entries = tuple(self._purpose(purpose) for purpose in category.purposes)
        return Section(f"purposes-{category.id}", category.name.get(self.lang), (Entries(entries),))

    def _purpose(self, purpose: Purpose) -> Entry:
        badges = [Badge(self._l("consent_required"), "consent")] if purpose.consent_required else []
        flags = {flag.value for flag in purpose.flags}
        badges += [Badge(self._l(f"flag.{flag}"), "flag") for flag in _SHOWN_FLAGS if flag in flags]
        facts = (
            self._fact("data_items", self._items(purpose.items)),
            self._fact("retention", m.period(purpose.retention, self.lang)),
            self._fact("consent", m.yes_no(purpose.consent_required, self.lang)),
        )
        return Entry(purpose.text.get(self.lang), facts, tuple(badges))

    def third_party(self) -> Section:
        provision = self.bundle.third_party_provision
        exceptions = tuple(exception.text.get(self.lang) for exception in provision.exceptions)
        blocks = (Paragraph(provision.statement.get(self.lang)), ItemList(exceptions, ordered=True))
        return Section("third-party", self._l("third_party"), blocks)

    def joint_use(self, joint: JointUse) -> Section:
        rows = [self._fact("joint_users", joint.users.get(self.lang))]
        if joint.companies:
            rows.append(self._fact("group_companies", *(c.name.get(self.lang) for c in joint.companies)))
        rows += [
            self._fact("joint_items", self._items(joint.items)),
            self._fact("joint_purposes", joint.purposes.get(self.lang)),
            self._fact("responsible", *self._organisation(joint.responsible)),
        ]
        if joint.effective_date is not None:
            rows.append(self._fact("joint_since", m.long_date(joint.effective_date, self.lang)))
        blocks = (Paragraph(joint.statement.get(self.lang)), Facts(tuple(rows)))
        return Section("joint-use", self._l("joint_use"), blocks)

    def outsourcing(self, outsourcing: Outsourcing) -> Section:
        duty_text = {duty.id: duty.text.get(self.lang) for duty in outsourcing.duties}
        blocks: list[Block] = [
            Paragraph(outsourcing.statement.get(self.lang)),
            ItemList(tuple(duty_text.values())),
        ]
        if outsourcing.processors:
            entries = tuple(
                Entry(
                    processor.name.get(self.lang),
                    (
                        self._fact("country", m.country_name(processor.country, self.lang)),
                        self._fact("duties", *(duty_text[duty] for duty in processor.duties)),
                    ),
                    (Badge(self._l("sample"), "sample"),) if processor.sample else (),
                )
                for processor in outsourcing.processors
            )
            blocks.append(Entries(entries))
        return Section("outsourcing", self._l("outsourcing"), tuple(blocks))

    def requests(self, requests: Requests) -> Section:
        lang = self.lang
        forms = {form.id: form.title.get(lang) for form in requests.forms}
        types = tuple(
            (
                kind.name.get(lang),
                forms[kind.form] if kind.form else self._l("no_form"),
                self._l("pipl_people") if kind.jurisdictions == ["CN"] else self._l("everyone"),
            )
            for kind in requests.types
        )
        headers = (self._l("request_type"), self._l("form"), self._l("applies_to"))
        requesters = tuple((r.name.get(lang), r.proof.get(lang)) for r in requests.requesters)
        subsections = (
            self._sub("request-types", "request_types", Table(self._l("request_types"), headers, types)),
            self._sub(
                "id-documents",
                "id_documents",
                ItemList(tuple(d.name.get(lang) for d in requests.id_documents)),
            ),
            self._sub(
                "requesters",
                "requesters",
                Table(self._l("requesters"), (self._l("requester"), self._l("proof")), requesters),
            ),
            self._sub("submission", "submission", Paragraph(requests.submission.get(lang))),
            self._sub("forms", "forms_download", Facts(self._form_links())),
            self._sub(
                "response-methods",
                "response_methods",
                ItemList(tuple(method.name.get(lang) for method in requests.response_methods)),
            ),
            self._sub("reception", "reception", Facts(self._reception(requests))),
            self._sub("fees", "fees", Paragraph(requests.fees.get(lang))),
        )
        return Section(
            "requests", self._l("requests"), (Paragraph(requests.statement.get(lang)),), subsections
        )

    def _reception(self, requests: Requests) -> tuple[Fact, ...]:
        reception = requests.reception
        rows = [self._fact("name", reception.name.get(self.lang))]
        if reception.address is not None:
            rows.append(self._fact("address", reception.address.get(self.lang)))
        return tuple(rows)

    def _form_links(self) -> tuple[Fact, ...]:
        """The printable forms (``/forms/<kind>.pdf``, see :mod:`mamori.notices.request_forms`)."""
        from mamori.notices.request_forms import form_kinds

        titles = {f.id.removesuffix("_form"): f.title.get(self.lang) for f in self.bundle.requests.forms}
        return tuple(
            Fact(titles.get(kind) or self._l("pipl_form"), ("PDF",), f"/forms/{kind}.pdf?lang={self.lang}")
            for kind in form_kinds(self.bundle)
        )

    def _sub(self, ident: str, key: str, block: Block) -> Section:
        return Section(f"requests-{ident}", self._l(key), (block,))

    def contact(self, centre: ContactCentre) -> Section:
        lang = self.lang
        closed = closed_days(centre, lang)
        rows = [
            self._fact("name", centre.name.get(lang)),
            self._fact("hours", m.hours(centre.opens, centre.closes, lang)),
            self._fact("closed", m.join(closed, lang)),
            self._fact("languages", m.join([m.language_name(code, lang) for code in centre.languages], lang)),
            self._fact("topics", centre.topics.get(lang)),
        ]
        for key, url in (
            ("inquiry_page", centre.inquiry_url),
            ("request_page", centre.request_url),
            ("status_page", centre.status_url),
            ("preferences_page", centre.preferences_url),
        ):
            if url:  # a path is one of Mamori's own pages: the link says what it opens, not "/contact"
                shown = self._l("open_page") if url.startswith("/") else url
                rows.append(self._fact(key, shown, href=url))
        blocks = (Paragraph(self.bundle.inquiries_note.get(lang)), Facts(tuple(rows)))
        return Section("inquiries", self._l("inquiries"), blocks)

    def cookies(self) -> Section:
        cookies = self.bundle.cookies
        blocks: list[Block] = [Paragraph(cookies.statement.get(self.lang))]
        if cookies.policy_url:
            url = cookies.policy_url
            shown = self._l("open_page") if url.startswith("/") else url
            blocks.append(Facts((self._fact("cookie_policy", shown, href=url),)))
        elif cookies.properties:  # the pages Mamori generates from the inventory
            query = f"?lang={self.lang}"
            pages = (
                ("cookie_policy", f"/cookies{query}"),
                ("external_transmission", f"/external-transmission{query}"),
            )
            blocks.append(Facts(tuple(self._fact(key, self._l(key), href=href) for key, href in pages)))
        return Section("cookies", self._l("cookies"), tuple(blocks))

    def cameras(self) -> Section:
        """The notice's camera statements, generated from the register (one entry per camera)."""
        register = self.bundle.cameras
        assert register is not None  # noqa: S101 - the caller checks
        purposes = self.bundle.purposes()
        entries = tuple(
            Entry(
                camera.location.get(self.lang),
                (
                    self._fact("camera_site", self._l(f"camera_site.{camera.site}")),
                    self._fact("camera_sees", camera.sees.get(self.lang)),
                    self._fact("camera_purpose", purposes[camera.purpose].text.get(self.lang)),
                    self._fact("data_items", self._items(camera.items)),
                    self._fact("face_analysis", m.yes_no(camera.face_analysis, self.lang)),
                    self._fact("face_templates", m.yes_no(camera.face_templates, self.lang)),
                    self._fact("retention", m.period(camera.retention, self.lang)),
                    self._fact("camera_viewers", camera.viewers.get(self.lang)),
                    self._fact("camera_signage", camera.signage.text.get(self.lang)),
                ),
                (Badge(self._l("sample"), "sample"),) if camera.sample else (),
            )
            for camera in register.entries
        )
        face = register.face_data
        statements = [self._l("face_data_kept_inside")] if not (face.joint_use or face.provision) else []
        statements += [self._l("face_data_joint_use")] if face.joint_use else []
        statements += [self._l("face_data_provision")] if face.provision else []
        blocks: tuple[Block, ...] = (
            Paragraph(self._l("cameras_intro")),
            Entries(entries),
            *(Paragraph(text) for text in statements),
        )
        return Section("cameras", self._l("cameras"), blocks)

    def safety_measures(self) -> Section:
        """The measures' summaries, one subsection per kind the bundle uses (APPI Art. 32, Rule 10)."""
        subsections = []
        for kind in MeasureKind:
            texts = tuple(
                measure.summary.get(self.lang)
                for measure in self.bundle.safety_measures
                if measure.kind == kind
            )
            if texts:
                subsections.append(Section(f"safety-{kind}", self._l(f"measure_{kind}"), (ItemList(texts),)))
        blocks = (Paragraph(self._l("safety_intro")),)
        return Section("safety-measures", self._l("safety_measures"), blocks, tuple(subsections))

    def pipl(self) -> Section:
        return Section("pipl", self._l("pipl"), (Paragraph(self.bundle.pipl.text.get(self.lang)),))

    def revisions(self) -> Section:
        history: tuple[Section, ...] = ()
        if self.bundle.revisions:
            rows = tuple(
                (m.long_date(revision.date, self.lang), revision.summary.get(self.lang))
                for revision in self.bundle.revisions
            )
            table = Table(self._l("revision_history"), (self._l("date"), self._l("summary")), rows)
            history = (Section("revisions-history", self._l("revision_history"), (table,)),)
        link = Fact(self._l("all_versions"), ("/privacy/history",), f"/privacy/history?lang={self.lang}")
        policy = (Paragraph(self.bundle.revision_policy.get(self.lang)), Facts((link,)))
        return Section("revisions", self._l("revisions"), policy, history)

    def version(self, number: int, content_hash: str) -> Section:
        rows = (
            self._fact("enacted", m.long_date(self.bundle.enacted, self.lang)),
            self._fact("version_number", str(number)),
            self._fact("content_hash", content_hash),
        )
        return Section("version", self._l("version"), (Facts(rows), Paragraph(self._l("authoritative_note"))))


def closed_days(centre: ContactCentre, lang: str) -> list[str]:
    """When the contact centre is closed, in words: weekdays, holidays, yearly closures with dates."""
    closed = [m.weekday_name(day, lang) for day in centre.closed_weekdays]
    if centre.closed_on_national_holidays:
        closed.append(m.holidays_name(lang))
    closed += [
        m.aside(closure.name.get(lang), m.day_range(closure.start, closure.end, lang), lang)
        for closure in centre.closures
    ]
    return closed


def build_joint_use_section(bundle: PolicyBundle, lang: str) -> Section | None:
    """The joint-use declaration of ``bundle`` in ``lang`` (None when the policy declares no joint use)."""
    return _Builder(bundle, lang).joint_use(bundle.joint_use) if bundle.joint_use else None
