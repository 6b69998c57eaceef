"""Hostile input never gives a server error (issue 8, point 7).

For every role of the test world, signed in as that person, the test follows the links
reachable from their home page, reads every form on every page (method, action and
fields: text, selects, radios, checkboxes, hidden values, uploads) and sends each form
again and again with hostile values: empty, 200 KB, NUL bytes, NaN, Infinity, 1e308, huge
integers, impossible and out-of-range dates, malformed UUIDs, markup, spreadsheet
formulas. Each form gets

- every field hostile at once, rounds rotating the values so that every field gets every
  value of its kind (a Latin square: the number of rounds, whatever the number of
  fields), which finds what a form's own checks cannot take; and
- the values that may pass those checks (a date in year 9999, NaN in a number box, 200 KB
  in a text box) in the fields of one kind with every other field ordinary, which finds
  what the service or the database behind a valid form cannot take.

Forms made by the same code from the same kinds of field (the PEP's sections, the admin's
list under different filters) are fuzzed once per role. The URL patterns with ids the
role reached get malformed ids, and the query parameters of its links hostile values;
one more test sends malformed ids to every URL pattern of the portal, and one fuzzes the
admin as the Virtual School (staff with every model permission).

A refusal (400, 403, 404, 405, 409, 429, a redirect) is fine; a 5xx, or an exception out
of a view, is a failure. All failures of one test are reported together, each with the
request, the form, the field and the value.

Every request runs in a savepoint that is rolled back afterwards, so each one meets the
same world (no form "succeeds" into a state that hides the next one's error) and nobody
is signed out or deactivated by the fuzz.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, resolve

from children.models import ChildAccessGrant
from epep.accounts import services as account_services
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps import services as pep_services

from ..meetings.test_meetings import schedule
from ..peps.conftest import acting
from ..peps.test_attachments import add_document
from ..peps.test_cycle import TARGET, fill, finalise, next_term, start
from ..urlwalk import all_routes

pytestmark = pytest.mark.django_db

BIG = "x" * 200_000
NUL = "before\x00after"
MARKUP = "<script>alert('x')</script>\"'><img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("https://evil.example","Click")'
UNICODE = "\u202egnp.exe \U0001f600 \ufeff\uffff Zoë"
NIL = "00000000-0000-0000-0000-000000000000"

#: Hostile values by kind of field. Each value goes into each field once, with every
#: field of the form hostile at the same time (a Latin square: as many requests as
#: values, however many fields the form has).
HOSTILE = {
    "text": ["", BIG, NUL, f"{FORMULA}{MARKUP}", f"   {UNICODE}\r\n"],
    "date": ["", NUL, "2024-02-30", "10000-01-01", BIG],
    "number": ["", NUL, "NaN", "1e308", BIG],
    "choice": ["", NUL, "not-a-uuid", "99999999999999999999999", BIG],
    "file": ["", NUL, BIG, "not-a-file", "1e308"],
}
ROUNDS = 5

#: Values that may pass a form's own checks and reach a service or the database: each
#: goes into every field of its kind, with every other field holding an ordinary value.
FOCUSED = {
    "date": ["9999-12-31", "0001-01-01"],
    "number": ["NaN", "Infinity", "1e308", "-1"],
    "choice": [NUL, "99999999999999999999999"],
    "text": [BIG, NUL, f"{FORMULA}{MARKUP}{UNICODE}"],
    "file": ["\x00.pdf", "../" * 100 + "passwd"],
}

#: Forms the fuzz leaves alone: they end the session it works in.
SIGN_OUT = ("/accounts/logout/", "/admin/logout/", "/session/sign-out-everywhere")
#: Links not followed: signing out, and files that are slow to make and have no forms;
#: in the admin, history pages and delete confirmations (a lone "yes", Django's code).
NOT_FOLLOWED = (*SIGN_OUT, "/static/", "/admin/r/", "/admin/jsi18n/")
NOT_FOLLOWED_ENDINGS = ("/pdf/", ".ics", ".csv", "/download/")
NOT_FOLLOWED_IN_ADMIN = ("/history/", "/delete/")

MAX_PAGES = {"/": 60, "/admin/": 60}

#: Malformed ids for URL patterns that take one, by path converter. A malformed UUID
#: never reaches a view (the converter refuses it), so the well-formed UUID of nothing is
#: posted too; ids the pattern takes as text get everything. (Real ids of children out
#: of reach are tests/portal/test_url_sweep.py's.)
ID_VALUES = {
    "uuid": [("get", "not-a-uuid"), ("post", NIL)],
    "int": [("get", "99999999999999999999999")],
    "text": [
        ("get", "not-a-uuid"),
        ("post", "not-a-uuid"),
        ("get", "%00"),
        ("post", "%00"),
        ("get", "-1"),
        ("get", "99999999999999999999999"),
        ("get", "x" * 300),
    ],
}
QUERY_VALUES = ["", NUL, "x" * 20_000, "NaN", "-1", "99999999999999999999999", "2024-02-30", MARKUP]


# --------------------------------------------------------------------------------------
# Reading pages
# --------------------------------------------------------------------------------------


@dataclass
class Input:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, submit, file, date, number…
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    method: str
    inputs: list[Input] = field(default_factory=list)

    def names(self) -> list[str]:
        """The fields to fuzz: all but the CSRF token, submit buttons and the admin's
        template rows for new inline forms (which Django ignores)."""
        names = []
        for item in self.inputs:
            if (
                item.name not in names
                and item.kind not in ("submit", "option")
                and item.name != "csrfmiddlewaretoken"
                and "__prefix__" not in item.name
            ):
                names.append(item.name)
        return names

    def kind_of(self, name: str) -> str:
        kinds = {i.kind for i in self.inputs if i.name == name}
        if "file" in kinds:
            return "file"
        if kinds & {"date", "datetime-local", "month"} or re.search(
            r"(^|_)(date|on|from|to|until)$", name
        ):
            return "date"
        if "number" in kinds:
            return "number"
        if kinds & {"select", "radio", "checkbox", "hidden"}:
            return "choice"
        return "text"

    def signature(self) -> tuple:
        """Forms made by the same code from the same kinds of field (the PEP's sections,
        the admin's list with different filters) are fuzzed once."""
        path = urlsplit(self.action).path
        visible = [n for n in self.names() if self.kind_of(n) != "choice"]
        hidden = {n for n in self.names() if self.kind_of(n) == "choice"}
        if path.startswith("/admin/") and self.method == "get":
            hidden = set()  # the list's current filters
        return (
            self.method,
            _route_of(path),
            tuple(sorted({self.kind_of(n) for n in visible})),
            tuple(sorted(n.rpartition("-")[2] for n in hidden)),
        )


class PageReader(HTMLParser):
    """Links and forms of one HTML page (the standard library's parser: no dependency)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._text: Input | None = None  # the textarea or option being read
        self._select: Input | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                page=self.page,
                action=urljoin(self.page, a.get("action") or self.page),
                method=(a.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            if "value" in a:
                self._select.options.append(a["value"])
                if "selected" in a:
                    self._select.value = a["value"]
            else:
                self._text = Input("", "option")
        elif not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("image", "reset", "button"):
                return
            if a.get("inputmode") in ("decimal", "numeric"):
                kind = "number"
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.inputs.append(
                Input(a["name"], kind, a.get("value", default), checked="checked" in a)
            )
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form.inputs.append(Input(a["name"], "submit", a.get("value", "")))
        elif tag == "textarea":
            self._text = Input(a["name"], "textarea")
            self._form.inputs.append(self._text)
        elif tag == "select":
            self._select = Input(a["name"], "select")
            self._form.inputs.append(self._select)

    def handle_data(self, data):
        if self._text is not None:
            self._text.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._text = None
        elif tag == "option" and self._text is not None and self._select is not None:
            self._select.options.append(self._text.value.strip())
            self._text = None
        elif tag == "select":
            self._select = None


# --------------------------------------------------------------------------------------
# Sending requests
# --------------------------------------------------------------------------------------


class Session:
    """One signed-in person's client; every request is rolled back afterwards."""

    def __init__(self, client, user):
        client.force_login(user)
        self.client = client
        self.cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.failures: list[str] = []
        self.requests = 0

    def send(self, method: str, url: str, data=None, *, what: str = ""):
        self.requests += 1
        response = None
        try:
            with transaction.atomic():
                if method == "post":
                    response = self.client.post(url, data or {})
                else:
                    response = self.client.get(url, data or {})
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - the point: report it and go on
            self.failures.append(
                f"{method.upper()} {url[:100]} {what}: {type(error).__name__}: {error}"[:400]
            )
            return None
        finally:
            # A view that cycled or ended the session (now rolled back) must not sign
            # the fuzz out.
            self.client.cookies[settings.SESSION_COOKIE_NAME] = self.cookie
        if response.status_code >= 500:
            self.failures.append(
                f"{method.upper()} {url[:100]} {what}: answered {response.status_code}"
            )
        return response

    def report(self, role) -> str:
        return f"{role.label}: {len(self.failures)} of {self.requests} requests failed:\n" + (
            "\n".join(self.failures)
        )


def _show(value) -> str:
    text = value if isinstance(value, str) else getattr(value, "name", repr(value))
    return repr(text[:40]) + (f" ({len(text):,} characters)" if len(text) > 40 else "")


def _route_of(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return path
    return match.route or match.view_name or path


def _same_site(page: str, href: str) -> str | None:
    parts = urlsplit(urljoin(page, href.strip()))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path or "/"
    if path.startswith(NOT_FOLLOWED) or path.endswith(NOT_FOLLOWED_ENDINGS):
        return None
    if path.startswith("/admin/") and path.endswith(NOT_FOLLOWED_IN_ADMIN):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def crawl(session: Session, start: str = "/") -> tuple[list[str], list[Form]]:
    """The pages reachable from ``start`` (one of each URL pattern and query shape; the
    admin's lists once whatever their filters) and the forms on them, each kind once."""
    queue, seen_routes, admin = deque([start]), set(), start.startswith("/admin/")
    pages, forms, signatures = [], [], set()
    while queue and len(pages) < MAX_PAGES[start]:
        url = queue.popleft()
        parts = urlsplit(url)
        route = _route_of(parts.path)
        if not parts.path.startswith("/admin/"):
            route = (route, tuple(sorted({k for k, _ in parse_qsl(parts.query)})))
        if route in seen_routes:
            continue
        seen_routes.add(route)
        response = session.send("get", url, what="(following links)")
        if response is None:
            continue
        if response.status_code in (301, 302, 303) and "Location" in response:
            target = _same_site(url, response["Location"])
            if target:
                queue.append(target)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages.append(url)
        reader = PageReader(url)
        reader.feed(response.content.decode())
        links = (_same_site(url, href) for href in reader.links)
        # The admin and the portal are crawled apart (the admin links to the portal).
        queue.extend(t for t in links if t and t.startswith("/admin/") == admin)
        for form in reader.forms:
            action = urlsplit(form.action)
            if action.path.startswith(SIGN_OUT) or action.netloc not in ("", "testserver"):
                continue
            if form.signature() not in signatures:
                signatures.add(form.signature())
                forms.append(form)
    return pages, forms


# --------------------------------------------------------------------------------------
# Filling forms
# --------------------------------------------------------------------------------------

PLAUSIBLE = {
    "email": "fuzz.person@example.org",
    "number": "1",
    "time": "10:00",
    "url": "https://meet.example.org/pep",
    "tel": "01234 567890",
    "password": "lantern orchard pebble violin",
}


def _upload(name: str = "notes.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"Fuzz notes", content_type="text/plain")


def plausible(form: Form) -> dict[str, list]:
    """What a careful person would send: the page's own values, the first real choice,
    an ordinary value in each empty box, and the first submit button."""
    in_a_month = (clock.today() + timedelta(days=30)).isoformat()
    data: dict[str, list] = {}
    submitted = False
    for item in form.inputs:
        if item.kind == "option" or "__prefix__" in item.name:
            continue
        if item.kind == "submit":
            if not submitted:
                data.setdefault(item.name, []).append(item.value)
            submitted = True
            continue
        if item.kind == "checkbox":
            if item.checked:
                data.setdefault(item.name, []).append(item.value)
            continue
        if item.kind == "radio":
            if item.checked or item.name not in data:
                data[item.name] = [item.value]
            continue
        if item.kind == "select":
            value = item.value or next((o for o in item.options if o), "")
        elif item.kind == "file":
            value = _upload()
        elif item.value or item.kind == "hidden":
            value = item.value
        elif form.kind_of(item.name) == "date":
            value = f"{in_a_month}T10:00" if item.kind == "datetime-local" else in_a_month
        else:
            value = PLAUSIBLE.get(item.kind, "Fuzz")
        data.setdefault(item.name, []).append(value)
    return data


def _as_sent(kind: str, value: str):
    return _upload(value) if kind == "file" else value


def fuzz_form(session: Session, form: Form) -> None:
    names = form.names()
    kinds = {name: form.kind_of(name) for name in names}
    where = f"form on {form.page[:80]}"
    session.send(form.method, form.action, plausible(form), what=f"{where}, ordinary values")
    if not names:
        return
    # Every field hostile at once; over the rounds every value of its kind in every field.
    for shift in range(ROUNDS):
        data = {k: v for k, v in plausible(form).items() if k not in kinds}
        for index, name in enumerate(names):
            value = HOSTILE[kinds[name]][(index + shift) % ROUNDS]
            data[name] = [_as_sent(kinds[name], value) if value else value]
        first = HOSTILE[kinds[names[0]]][shift]
        session.send(
            form.method,
            form.action,
            data,
            what=f"{where}, every field hostile ({names[0]}={_show(first)}, …)",
        )
    # Values that may get past the form: into every field of one kind, the rest ordinary.
    for kind in dict.fromkeys(kinds.values()):
        fields = [n for n, k in kinds.items() if k == kind]
        for value in FOCUSED[kind]:
            data = plausible(form)  # afresh: an upload can be read only once
            for name in fields:
                data[name] = [_as_sent(kind, value)] * max(1, len(data.get(name, [])))
            session.send(
                form.method,
                form.action,
                data,
                what=f"{where}, {', '.join(fields)} = {_show(value)}",
            )


# --------------------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------------------


@pytest.fixture
def busy_world(world, settings, tmp_path):
    """The test world with something behind every form: last term's finalised PEP with
    a target to review, this term's open PEP with a target, an action and attainment, a
    scheduled meeting, a document, a grant to withdraw, a pending invitation, and the
    Virtual School and LA administrator as admin staff. Uploads go to a temporary
    folder."""
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    last = start(world)
    fill(world, last)
    finalise(world, last)
    pep = start(world, **next_term(last))
    with acting(dt) as actor:
        pep_services.target_save(actor=actor, pep=pep, fields=TARGET)
        pep_services.action_add(
            actor=actor,
            pep=pep,
            description="Book the reading assessment",
            owner="Ms Patel",
            due_date=clock.today() + timedelta(days=14),
        )
    schedule(world, pep)
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.PEP_PDF_ROOT = tmp_path / "pdfs"
    add_document(world, pep=pep)
    with all_authorities_context():
        ChildAccessGrant.objects.create(
            content_object=world.a.child,
            user=world.b.users[Role.IRO],
            permission=Permission.objects.get(codename="view_child"),
            local_authority=world.a.la,
            reason="Covering the review",
            granted_by=world.a.users[Role.VS_HEAD],
            expires_on=clock.today() + timedelta(days=30),
        )
    with acting(world.a.users[Role.LA_ADMIN]) as admin:
        account_services.invitation_create(
            actor=admin,
            email="new.worker@example.org",
            full_name="New Worker",
            role=Role.SOCIAL_WORKER,
            base_url="https://epep.example",
        )
    return world


# --------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------


def _converter(route, name: str) -> str:
    match = re.search(rf"<(\w+):{name}>", route.pattern)
    return {"uuid": "uuid", "int": "int"}.get(match.group(1) if match else "", "text")


def fuzz_ids(session: Session, routes) -> None:
    """Each URL pattern that takes an id, a key or a token, with malformed ones."""
    for route in routes:
        for name in dict.fromkeys(route.kwargs):
            for method, value in ID_VALUES[_converter(route, name)]:
                session.send(
                    method,
                    route.example_url(**{name: value}),
                    what=f"({route.pattern}: {name}={_show(value)})",
                )


def routes_used(pages: list[str], forms: list[Form]) -> list:
    """The URL patterns with ids among the pages and form actions reached."""
    used = {_route_of(urlsplit(url).path) for url in [*pages, *(f.action for f in forms)]}
    return [r for r in all_routes() if r.kwargs and r.pattern in used]


def fuzz_queries(session: Session, pages: list[str]) -> None:
    """Hostile values in each query parameter the pages' own links use (the search and
    filter forms are fuzzed as forms)."""
    params: dict[str, set] = {}
    for page in pages:
        parts = urlsplit(page)
        params.setdefault(parts.path, set()).update(k for k, _ in parse_qsl(parts.query))
    for path, names in params.items():
        for name in sorted(names):
            for value in QUERY_VALUES:
                url = f"{path}?{urlencode({name: value})}"
                session.send("get", url, what=f"({name}={_show(value)})")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_page_answers_hostile_input_with_a_server_error(client, busy_world, role):
    """Every form this role reaches, hostile values in every field; malformed ids in
    every URL; hostile query strings on every page."""
    session = Session(client, busy_world.a.users[role])
    pages, forms = crawl(session)
    assert pages and forms, f"{role.label}: the fuzz reached no forms"
    for form in forms:
        fuzz_form(session, form)
    fuzz_ids(session, routes_used(pages, forms))
    fuzz_queries(session, pages)
    assert not session.failures, session.report(role)


def test_malformed_ids_in_any_url_never_give_a_server_error(client, busy_world):
    """Every URL pattern of the portal that takes an id, a key or a token, including
    those no link leads to (downloads, calendar files), as the Virtual School Head."""
    session = Session(client, busy_world.a.users[Role.VS_HEAD])
    fuzz_ids(session, [r for r in all_routes() if r.kwargs and not r.pattern.startswith("admin/")])
    assert not session.failures, session.report(Role.VS_HEAD)


#: The admin is the same for the Virtual School and the LA administrator (both scoped to
#: their authority and, in this world, with the same permissions): fuzzed as the officer.
ADMIN_ROLE = Role.VS_OFFICER


def test_no_admin_page_answers_hostile_input_with_a_server_error(client, busy_world):
    session = Session(client, busy_world.a.users[ADMIN_ROLE])
    pages, forms = crawl(session, "/admin/")
    assert len(pages) > 10 and len(forms) > 10, "the admin was not reached"
    for form in forms:
        fuzz_form(session, form)
    fuzz_ids(session, [r for r in routes_used(pages, forms) if r.pattern.endswith("/change/")])
    assert not session.failures, session.report(ADMIN_ROLE)
