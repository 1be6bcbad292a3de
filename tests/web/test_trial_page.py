"""The public trial page and the look of the web app.

Every template is rendered and checked as a browser and a screen reader would meet it:
balanced tags, unique ids, a label for every input, headings in order, no inline script or
style (the CSP forbids them), and no personal data beyond the registry's public contacts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

import trialdesk.study
from study.conduct_folder import FILES, conduct_folder
from trialdesk.study.loader import Study, load_study
from trialdesk.study.page import TrialPage, trial_page

WEB = Path(trialdesk.study.__file__).parents[1] / "web"
SEED_PAGE = Path(__file__).resolve().parents[2].parent / "shared" / "seed"
SEED_PAGE = SEED_PAGE / "NCT06947746-trial-page.txt"
NCT = "NCT06947746"


def _environment() -> Environment:
    # TODO(lead): the app's own environment once `trialdesk.web` imports in every checkout
    # (it needs the trial store and the selfcheck package); this copy mirrors pages.py.
    try:
        from trialdesk.web.pages import templates
    except ImportError:
        env = Environment(
            loader=FileSystemLoader(WEB / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        return env
    return templates.env


ENV = _environment()


# a small DOM -----------------------------------------------------------------------------

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def walk(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def all(self, tag: str, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.walk()
            if n.tag == tag and (cls is None or cls in n.attrs.get("class", "").split())
        ]

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, [], self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.current.tag != tag:
            self.problems.append(f"</{tag}> closes <{self.current.tag}>")
            return
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    """The document, after checking what every page must get right."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    assert builder.problems == [], builder.problems
    assert builder.current is builder.root, f"<{builder.current.tag}> never closed"
    doc = builder.root
    nodes = list(doc.walk())

    ids = [n.attrs["id"] for n in nodes if "id" in n.attrs]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

    labelled = {n.attrs.get("for") for n in doc.all("label")}
    for control in [n for n in nodes if n.tag in ("input", "select", "textarea")]:
        if control.attrs.get("type") in ("hidden", "submit", "button"):
            continue
        inside = any(a.tag == "label" for a in control.ancestors())
        assert inside or control.attrs.get("id") in labelled, f"no label for {control.attrs}"

    for node in nodes:
        for ref in node.attrs.get("aria-describedby", "").split():
            assert ref in ids, f"aria-describedby points at a missing id {ref!r}"
        assert "style" not in node.attrs, f"inline style on <{node.tag}>"
        assert not any(a.startswith("on") for a in node.attrs), f"inline handler on <{node.tag}>"
        if node.tag == "a":
            assert node.attrs.get("href"), "a link without href"
            assert node.text, f"a link without text: {node.attrs['href']}"
        if node.tag == "a" and node.attrs["href"].startswith("#"):
            assert node.attrs["href"][1:] in ids, f"link to a missing id {node.attrs['href']}"
    assert not doc.all("style"), "a <style> element (the CSP allows /static only)"
    for script in doc.all("script"):
        assert script.attrs.get("src", "").startswith("/static/") and not script.text

    levels = [int(n.tag[1]) for n in nodes if re.fullmatch(r"h[1-6]", n.tag)]
    assert levels[:1] == [1] and levels.count(1) == 1, levels
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    html_node = doc.all("html")[0]
    assert html_node.attrs.get("lang") == "en"
    return doc


def doc_links(doc: Node, href: str) -> list[str]:
    return [a.text for a in doc.all("a") if a.attrs["href"] == href]


def visible_text(doc: Node) -> str:
    return " ".join(n.text for n in doc.all("body"))  # the whole body, whitespace collapsed


# rendering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeUser:
    username: str
    role: str
    permissions: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def _room_context(name: str) -> dict[str, Any]:
    """What the route of a patient page gives its template besides the page's own data:
    the room's texts, the reader's language and the page's bounds."""
    from trialdesk.web.rooms.public.texts import TEXTS as PUBLIC
    from trialdesk.web.rooms.selfcheck.texts import TEXTS as SELFCHECK

    english = {"locale": "en"}
    return {
        "study.html": {**english, "t": PUBLIC, "stale": None, "has_contact": False},
        "selfcheck.html": {
            **english, "t": SELFCHECK, "units": {"age": "years"},
            "month_min": "1900-01", "month_max": "2026-12",
        },
        "selfcheck_result.html": {**english, "t": SELFCHECK},
    }.get(name, {})  # fmt: skip


def render(name: str, path: str = "/", user: FakeUser | None = None, **context: Any) -> str:
    request = SimpleNamespace(url=SimpleNamespace(path=path))
    values = {"request": request, "user": user, "csrf_token": "t0ken", "csrf_field": "csrf_token"}
    return ENV.get_template(name).render(**{**values, **_room_context(name), **context})


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study()


@pytest.fixture(scope="module")
def page(study: Study) -> TrialPage:
    return trial_page(study)


@pytest.fixture(scope="module")
def study_doc(study: Study, page: TrialPage) -> Node:
    return parse(render("study.html", f"/studies/{NCT}", page=page, study=study))


# the trial page --------------------------------------------------------------------------


def test_every_seed_section_in_the_seed_order(study_doc: Node, page: TrialPage) -> None:
    if not SEED_PAGE.is_file():
        pytest.skip(f"no seed page at {SEED_PAGE}")
    text = visible_text(study_doc).lower()
    expected = [page.title, "Sponsor", "Shanghai Changzheng Hospital"]
    for line in SEED_PAGE.read_text(encoding="utf-8").splitlines():
        if line == "Loading...":  # the registry's map widget
            continue
        expected.append(line)
        if line.startswith("Data sourced from"):
            break  # the rest is the registry site's own footer
    at = 0
    for line in expected:
        found = text.find(" ".join(line.split()).lower(), at)
        assert found >= 0, f"{line!r} missing or out of order"
        at = found + 1


def test_criteria_are_numbered_verbatim_ordered_lists(study_doc: Node, page: TrialPage) -> None:
    for kind, items in (("inclusion", page.inclusion), ("exclusion", page.exclusion)):
        (ol,) = study_doc.all("ol", f"criteria-{kind}")
        assert ol.attrs["start"] == "1"
        lis = [c for c in ol.children if isinstance(c, Node)]
        assert [li.attrs["id"] for li in lis] == [c.id for c in items]
        assert [li.text for li in lis] == [" ".join(c.text.split()) for c in items]


def test_call_to_action_and_links(study_doc: Node, page: TrialPage) -> None:
    hrefs = {a.attrs["href"]: a.text for a in study_doc.all("a")}
    assert hrefs[f"/studies/{NCT}/self-check"] == "Start the self-check"
    ctas = study_doc.all("aside", "cta")
    assert ctas and all("Check if this trial may suit you" in c.text for c in ctas)
    assert page.sites[0].map_url in hrefs
    assert hrefs[f"https://clinicaltrials.gov/study/{NCT}"] in (
        NCT,
        "Data sourced from ClinicalTrials.gov",
    )
    assert doc_links(study_doc, "/") == ["trialdesk", "Studies"]
    assert hrefs["/login"] == "Staff sign in"
    assert "/logout" not in str(study_doc.all("form"))


def test_no_personal_data_beyond_registry_contacts(study_doc: Node, study: Study) -> None:
    contacts = study.record.protocolSection.contactsLocationsModule
    assert contacts is not None
    people = [*(contacts.centralContacts or ())]
    people += [c for loc in contacts.locations or () for c in loc.contacts or ()]
    emails = {c.email for c in people if c.email}
    phones = {re.sub(r"[^\d+]", "", c.phone) for c in people if c.phone}
    text = visible_text(study_doc)
    assert set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.-]+", text)) <= emails
    for a in study_doc.all("a"):
        href = a.attrs["href"]
        if href.startswith("mailto:"):
            assert href.removeprefix("mailto:") in emails
        if href.startswith("tel:"):
            assert href.removeprefix("tel:") in phones
    assert "t0ken" not in text  # the CSRF token never shows


def test_home_lists_each_study_as_a_card(page: TrialPage) -> None:
    doc = parse(render("home.html", "/", pages=[page]))
    (card,) = doc.all("li", "study-card")
    links = {a.attrs["href"] for a in card.all("a")}
    assert links == {f"/studies/{NCT}"}
    assert page.title in card.text and "Rheumatoid Arthritis (RA)" in card.text
    assert "Not yet recruiting" in card.text
    empty = parse(render("home.html", "/", pages=[]))
    assert "No studies" in visible_text(empty)


# the layout ------------------------------------------------------------------------------

COORDINATOR = FakeUser("alice", "coordinator", frozenset({"view_leads", "view_audit"}))
ADMIN = FakeUser("root", "admin", frozenset({"view_leads", "view_audit", "manage_users"}))


@pytest.mark.parametrize(
    ("user", "links"),
    [
        (None, {"/", "/login"}),
        (COORDINATOR, {"/", "/staff", "/staff/leads", "/staff/audit"}),
        (ADMIN, {"/", "/staff", "/staff/leads", "/admin/users", "/staff/audit"}),
        (FakeUser("bob", "monitor", frozenset()), {"/", "/staff"}),
    ],
)
def test_nav_follows_permissions(user: FakeUser | None, links: set[str]) -> None:
    doc = parse(
        render(
            "error.html",
            "/staff/leads",
            user,
            status=404,
            code="not_found",
            message="no such page",
            field=None,
        )
    )
    header = doc.all("header", "site-header")[0]
    hrefs = {a.attrs["href"] for a in header.all("a")} - {"#main"}
    assert {h for h in hrefs if "lang=" not in h} == links
    assert {h for h in hrefs if "lang=" in h} == {"/staff/leads?lang=zh-CN"}  # every page
    forms = header.all("form")
    if user is None:
        assert forms == []
        return
    (form,) = forms
    assert (form.attrs["method"], form.attrs["action"]) == ("post", "/logout")
    (hidden,) = form.all("input")
    assert hidden.attrs == {"type": "hidden", "name": "csrf_token", "value": "t0ken"}
    assert user.username in header.text and user.role in header.text
    current = [a.attrs["href"] for a in header.all("a") if a.attrs.get("aria-current")]
    assert current == (["/staff/leads"] if user.can("view_leads") else [])


def test_skip_link_and_landmarks(study_doc: Node) -> None:
    first = study_doc.all("a")[0]
    assert (first.attrs["href"], first.attrs["class"]) == ("#main", "skip-link")
    assert [m.attrs["id"] for m in study_doc.all("main")] == ["main"]
    assert study_doc.all("footer", None) and study_doc.all("nav")
    assert [link.attrs["href"] for link in study_doc.all("link")] == [
        "/static/site.css",
        "/static/favicon.svg",
    ]


def test_error_page() -> None:
    doc = parse(
        render(
            "error.html", status=404, code="not_found", message="no study 'X' here", field="nct_id"
        )
    )
    assert doc.all("h1")[0].text == "Page not found"
    assert "No study 'X' here" in visible_text(doc) and "nct id" in visible_text(doc)
    boom = parse(render("error.html", status=500, code="internal_error", message="", field=None))
    assert boom.all("h1")[0].text == "Something went wrong"


# the self-check --------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str
    ask: str
    answer_type: str
    help: str | None = None
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[tuple[str, str], ...] = ()
    when: object = None


QUESTIONS = (
    Question(
        "has_ra",
        "Has a doctor told you that you have rheumatoid arthritis?",
        "yes_no",
        help="Also called RA.",
    ),
    Question("ra_since", "When were you told?", "month_year", when=object()),
    Question("age", "How old are you?", "number", unit="years", minimum=0, maximum=120),
    Question(
        "sex", "What is your sex?", "choice", options=(("female", "Female"), ("male", "Male"))
    ),
    Question("pregnant", "Are you pregnant or breastfeeding?", "yes_no", when=object()),
    Question("injection", "Date of your last knee injection", "date"),
    Question("mtx_for", "How long have you taken methotrexate?", "duration", unit="months"),
    Question("other", "Anything else?", "duration"),
)
CONDITIONS = {"ra_since": [("has_ra", "yes")], "pregnant": [("sex", "female")]}


def test_selfcheck_form(study: Study, page: TrialPage) -> None:
    html = render(
        "selfcheck.html",
        f"/studies/{NCT}/self-check",
        study=study,
        page=page,
        questions=QUESTIONS,
        answers={"has_ra": "", "age": "200"},
        errors={"age": "Enter an age from 0 to 120", "": "Something else"},
        question_conditions=CONDITIONS,
    )
    doc = parse(html)
    (form,) = doc.all("form", "selfcheck")
    assert (form.attrs["method"], form.attrs["action"]) == ("post", f"/studies/{NCT}/self-check")
    inputs = form.all("input")
    assert {"type": "hidden", "name": "csrf_token", "value": "t0ken"} in [i.attrs for i in inputs]
    named = {i.attrs["name"] for i in inputs} - {"csrf_token"}
    assert named == {q.id for q in QUESTIONS}

    radios = [i.attrs for i in inputs if i.attrs["name"] == "has_ra"]
    assert [(r["type"], r["value"]) for r in radios] == [
        ("radio", "yes"),
        ("radio", "no"),
        ("radio", ""),
    ]
    assert [("checked" in r) for r in radios] == [False, False, True]  # "" = don't know
    age = next(i.attrs for i in inputs if i.attrs["name"] == "age")
    assert (age["type"], age["min"], age["max"], age["value"]) == ("number", "0", "120", "200")
    assert age["aria-invalid"] == "true" and "q-age-error" in age["aria-describedby"]
    types = {i.attrs["name"]: i.attrs["type"] for i in inputs if i.attrs["type"] != "radio"}
    assert types["ra_since"] == "month" and types["injection"] == "date"
    assert types["mtx_for"] == types["other"] == "text"  # "8 months" or "2 years"

    (summary,) = doc.all("div", "error-summary")
    assert [a.attrs["href"] for a in summary.all("a")] == ["#q-age"]  # no link to nowhere
    assert "Something else" in summary.text
    assert "about 2 minutes" in visible_text(doc)
    assert "Nothing you enter is stored" in visible_text(doc)

    when = {
        li.attrs["id"]: json.loads(li.attrs["data-when"])
        for li in doc.all("li", "question")
        if "data-when" in li.attrs
    }
    assert when == {
        "question-ra_since": [["has_ra", "yes"]],
        "question-pregnant": [["sex", "female"]],
    }
    hint = doc.all("li", "question")[4].text
    assert "Only if you answered “Female” to “What is your sex?”" in hint
    assert [s.attrs["src"] for s in doc.all("script")] == ["/static/selfcheck.js"]


def test_selfcheck_without_questions(study: Study, page: TrialPage) -> None:
    doc = parse(
        render(
            "selfcheck.html",
            study=study,
            page=page,
            questions=(),
            answers={},
            errors={},
            question_conditions={},
        )
    )
    assert doc.all("form") == [] and "no self-check questions yet" in visible_text(doc)


@pytest.mark.parametrize("verdict", ["may_be_eligible", "probably_not_eligible"])
def test_selfcheck_result(study: Study, page: TrialPage, verdict: str) -> None:
    outcome = SimpleNamespace(
        verdict=verdict, reasons=("You are older than 65.",), site_will_check=("Your blood tests",)
    )
    consent = "I agree that the study team may keep my details and answers to contact me."
    doc = parse(
        render(
            "selfcheck_result.html",
            study=study,
            page=page,
            outcome=outcome,
            answers={"has_ra": "yes", "age": "40"},
            consent_text=consent,
            contact={"name": "Ann"},
            contact_errors={"email": "Enter an email"},
        )
    )
    text = visible_text(doc)
    if verdict == "may_be_eligible":
        assert doc.all("h1")[0].text == "You may be eligible" and "Your blood tests" in text
    else:
        assert doc.all("h1")[0].text == "You are probably not eligible"
        assert "because:" in text and "You are older than 65." in text
    assert "This is not medical advice." in text
    assert "Only the study team can confirm" in text

    (form,) = doc.all("form")  # signed out: no sign-out form in the header
    assert form.attrs["action"] == f"/studies/{NCT}/self-check/contact"
    fields = {i.attrs["name"]: i.attrs for i in form.all("input")}
    assert fields["a.has_ra"] == {"type": "hidden", "name": "a.has_ra", "value": "yes"}
    assert fields["a.age"]["value"] == "40" and fields["csrf_token"]["value"] == "t0ken"
    assert fields["name"]["value"] == "Ann" and fields["email"]["aria-invalid"] == "true"
    assert {"phone", "preferred_contact"} <= fields.keys()
    box = fields["consent"]
    assert (box["type"], box["value"]) == ("checkbox", "yes") and "checked" not in box
    (label,) = [lb for lb in form.all("label") if lb.attrs["for"] == box["id"]]
    assert label.text == consent


def test_selfcheck_thanks(study: Study) -> None:
    from trialdesk.web.rooms.public.thanks_texts import THANKS

    doc = parse(
        render("selfcheck_thanks.html", study=study, reference="TD-7F3K-9QX2", t=THANKS,
               locale="en")
    )  # fmt: skip
    text = visible_text(doc)
    assert "TD-7F3K-9QX2" in text and "What happens next" in text
    assert f"/studies/{NCT}" in {a.attrs["href"] for a in doc.all("a")}


# static files ----------------------------------------------------------------------------

GENERIC = [
    "card",
    "table",
    "badge",
    "badge-ok",
    "badge-warn",
    "badge-bad",
    "badge-info",
    "button",
    "button-primary",
    "button-danger",
    "form-row",
    "field-error",
    "notice",
    "muted",
    "grid",
]


def test_stylesheet_documents_and_defines_the_generic_classes() -> None:
    css = (WEB / "static" / "site.css").read_text(encoding="utf-8")
    header = css[: css.index("*/")]
    for name in GENERIC:
        assert f".{name}" in header, f".{name} is not documented"
        assert re.search(rf"^\.{re.escape(name)}\s*[{{,]", css, re.MULTILINE), f".{name}"
    for feature in ("@media print", "prefers-reduced-motion", ":focus-visible", ".skip-link"):
        assert feature in css
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_static_files_load_nothing_from_elsewhere() -> None:
    for path in (WEB / "static").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(src|href)=['\"]?(https?:)?//", text), path
            # a staff script may ask its own server (the CSP's default-src 'self' allows
            # nothing else): never a URL of another origin, never the old XMLHttpRequest
            if path.suffix == ".js":
                assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text), path
                assert "XMLHttpRequest" not in text, path
            else:
                assert "fetch(" not in text, path


# through the application ------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    try:
        from fastapi.testclient import TestClient

        from trialdesk.trial.store.db import open_store
        from trialdesk.web import create_app
    except ImportError as exc:  # TODO(lead): drop once the app imports in every checkout
        pytest.skip(f"the web app does not import yet: {exc}")
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('web')}/t.db")
    return TestClient(create_app(store))


def test_app_serves_the_trial_page(client: Any, page: TrialPage) -> None:
    response = client.get(f"/studies/{NCT}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    doc = parse(response.text)
    assert doc.all("h1")[0].text == page.title
    home = parse(client.get("/").text)
    assert f"/studies/{NCT}" in {a.attrs["href"] for a in home.all("a")}
    assert client.get("/static/site.css").status_code == 200
    missing = client.get("/studies/NCT00000000")
    assert missing.status_code == 404
    assert parse(missing.text).all("h1")[0].text == "Page not found"


def test_app_serves_the_self_check(client: Any) -> None:
    response = client.get(f"/studies/{NCT}/self-check")
    assert response.status_code == 200
    doc = parse(response.text)
    assert doc.all("h1")[0].text == "Check if this trial may suit you"


# what taking part involves ------------------------------------------------------------------

EYE_STUDY = Path(__file__).resolve().parents[1] / "data" / "studies" / "NCT09900001"


def _from_schedule(folder: Path) -> tuple[int, int, int | None, list[str]]:
    """(visits after day 1, days from day 1 to the last visit, screening days, the visits'
    names), read from schedule.yaml alone."""
    visits = yaml.safe_load((folder / "schedule.yaml").read_text(encoding="utf-8"))["visits"]
    visits = [v for v in visits if "kind" not in v]  # scheduled: not ET, not unscheduled
    starts = [v["day"] if "day" in v else v["days"]["from"] for v in visits]
    early = [v["days"]["from"] for v in visits if "days" in v and v["days"]["from"] < 0]
    last = max(v["day"] if "day" in v else v["days"]["to"] for v in visits)
    names = [v["name"]["en"] if isinstance(v["name"], dict) else v["name"] for v in visits]
    return sum(s > 1 for s in starts), last - 1, -min(early) if early else None, names


def _taking_part(doc: Node) -> Node | None:
    found = [s for s in doc.all("section") if s.attrs.get("id") == "taking-part"]
    assert len(found) <= 1
    return found[0] if found else None


def _visits(section: Node) -> list[tuple[str, str, list[str]]]:
    """(name, when, activities) of each visit the section lists, in order."""
    out = []
    for li in section.all("li", "visit-plan-visit"):
        (name,) = li.all("p", "visit-plan-name")
        when = [s.text for s in name.all("span", "muted")]
        said = [a.text for ul in li.all("ul", "visit-plan-activities") for a in ul.all("li")]
        out.append((name.all("strong")[0].text, when[0].removeprefix("· ") if when else "", said))
    return out


def test_the_page_says_what_taking_part_involves(study_doc: Node, study: Study) -> None:
    section = _taking_part(study_doc)
    assert section is not None
    assert section.all("h2")[0].text == "What taking part involves"
    after, days, screening, names = _from_schedule(study.folder)
    assert (after, days, screening) == (7, 168, 28)
    text = section.text
    assert f"{after} visits after Day 1 (injection)" in text
    assert f"About {days // 7} weeks from day 1 to the last visit" in text and days % 7 == 0
    assert f"plus screening up to {screening} days before day 1" in text
    visits = _visits(section)
    assert [name for name, _, _ in visits] == names
    said = {name: (when, activities) for name, when, activities in visits}
    assert said["Week 12"][0] == "Day 85, give or take 7 days"
    assert (
        "Blood tests" in said["Week 4"][1] and "An ultrasound scan of the knee" in said["Week 4"][1]
    )
    assert "An ultrasound scan of the knee" not in said["Week 8"][1]  # not at W8 in the file
    assert (
        "An examination of your joints for tenderness and swelling"
        in said["Week 24 (end of study)"][1]
    )
    assert "A questionnaire about everyday activities" in said["Week 12"][1]
    (note,) = section.all("div", "assumption")
    assert "Protocol assumption." in note.text and "pending the site's confirmation" in note.text
    assert study.schedule is not None and study.schedule.source
    assert f"Source: {' '.join(study.schedule.source.split())}" in note.text
    toc = [a.attrs["href"] for nav in study_doc.all("nav", "toc") for a in nav.all("a")]
    assert toc.index("#design") < toc.index("#taking-part") < toc.index("#contact")
    sections = [s.attrs.get("id") for s in study_doc.all("section")]
    assert sections.index("design") < sections.index("taking-part") < sections.index("contact")


W8 = """\
  - id: W8
    name: {en: Week 8, zh-CN: 第8周}
    visitnum: 4
    epoch: FOLLOW-UP
    day: 57
    window: {before: 7, after: 7}
    forms: [vitals]
    procedures: [scan]
  - id: ET
"""


def test_a_changed_schedule_changes_the_section(tmp_path: Path) -> None:
    schedule = FILES["schedule.yaml"].replace("  - id: ET\n", W8)
    schedule = schedule.replace("days: {from: -28, to: -1}", "days: {from: -10, to: -1}")
    assumed = "assumption: true\nsource: a letter from the site, 2026-01-05\n" + schedule
    (tmp_path / "assumed").mkdir()
    (tmp_path / "confirmed").mkdir()
    folder = conduct_folder(tmp_path / "assumed", {"schedule.yaml": assumed})
    after, days, screening, names = _from_schedule(folder)
    assert (after, days, screening) == (2, 56, 10)
    changed = load_study(str(folder))
    doc = parse(render("study.html", page=trial_page(changed), study=changed))
    section = _taking_part(doc)
    assert section is not None
    assert "2 visits after Day 1 " in section.text
    assert (
        "About 8 weeks from day 1 to the last visit, plus screening up to 10 days" in section.text
    )
    assert [name for name, _, _ in _visits(section)] == names
    assert _visits(section)[-1] == (
        "Week 8",
        "Day 57, give or take 7 days",
        ["A scan of the knee", "Vital signs"],
    )
    (note,) = section.all("div", "assumption")
    assert "Source: a letter from the site, 2026-01-05" in note.text
    # the same schedule, not an assumption: no note
    confirmed = load_study(str(conduct_folder(tmp_path / "confirmed", {"schedule.yaml": schedule})))
    doc = parse(render("study.html", page=trial_page(confirmed), study=confirmed))
    section = _taking_part(doc)
    assert section is not None and section.all("div", "assumption") == []


def test_a_study_without_a_schedule_has_no_such_section() -> None:
    eye = load_study(str(EYE_STUDY))
    assert eye.schedule is None
    doc = parse(render("study.html", page=trial_page(eye), study=eye))
    assert _taking_part(doc) is None
    assert "#taking-part" not in {a.attrs["href"] for a in doc.all("a")}
    assert "What taking part involves" not in visible_text(doc)


def test_the_api_says_what_taking_part_involves(client: Any, study: Study) -> None:
    after, days, screening, names = _from_schedule(study.folder)
    body = client.get(f"/api/studies/{NCT}").json()
    taking = body["taking_part"]
    assert (taking["visits_after_day1"], taking["days"], taking["screening_days"]) == (
        after,
        days,
        screening,
    )
    assert taking["weeks"] == days / 7 == 24
    assert [v["name"] for v in taking["visits"]] == names
    assert taking["protocol_assumption"] is True
    assert study.schedule is not None and taking["source"] == study.schedule.source
    assert taking["summary"][0] == "7 visits after Day 1 (injection)"
    listed = client.get("/api/studies").json()
    assert all("taking_part" not in s for s in listed)


def test_the_api_of_a_study_without_a_schedule(tmp_path: Path) -> None:
    try:
        from fastapi.testclient import TestClient

        from trialdesk.trial.store.db import open_store
        from trialdesk.web import create_app
    except ImportError as exc:  # TODO(lead): drop once the app imports in every checkout
        pytest.skip(f"the web app does not import yet: {exc}")
    eye = load_study(str(EYE_STUDY))
    store = open_store(f"sqlite:///{tmp_path}/t.db")
    try:
        client = TestClient(create_app(store, studies={eye.id: eye}))
        body = client.get(f"/api/studies/{eye.id}").json()
        assert body["nct_id"] == eye.id and body["taking_part"] is None
        page = client.get(f"/studies/{eye.id}")
        assert page.status_code == 200 and "What taking part involves" not in page.text
    finally:
        store.close()
