"""The PDF's tables keep words whole and columns apart: in "Last term's targets" the date
does not run into the Outcome column, and "responsible" (the SMART targets' heading and
the text under it) never breaks mid-word. Checked on the text pdftotext reads back, as a
reader copying from the PDF would see it, and on where each word sits on the page."""

import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from unittest import mock

import pytest

from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps import pdf, services
from peps.tasks import render_finalised_pep_pdf

from .conftest import acting
from .test_cycle import TARGET, fill, finalise, next_term, start

pytestmark = pytest.mark.django_db

XHTML = "{http://www.w3.org/1999/xhtml}"
DUE = date(2027, 9, 30)  # the longest month name a date column shows
LONG_TARGET = {
    **TARGET,
    "description": (
        "Read three chapter books independently and talk about the characters, the plot "
        "and what might happen next with the reading mentor every week"
    ),
    "responsible": "Ms Patel (class teacher), responsible for the reading mentor's timetable",
    "success_measure": "Reading age rises by 6 months on the school's standardised test",
    "strategy": "Interventions: daily 1:1 reading with the teaching assistant",
    "due_date": DUE,
    "ppplus_cost_pence": 10_000_000,  # £100,000.00, the most a target may cost
}


@pytest.fixture
def rendered(world, clock_at, tmp_path):
    clock_at(date(2027, 5, 10))  # summer term: last term's target is due 30 September
    first = start(world)
    fill(world, first)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.target_save(actor=dt, pep=first, fields=LONG_TARGET)
    with mock.patch.object(render_finalised_pep_pdf, "delay"):
        finalise(world, first)
    pep = start(world, **next_term(first))
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        for old in services.Target.objects.filter(pep=first):
            services.target_review(
                actor=dt, pep=pep, target=old, outcome="partly", comment="Nearly there"
            )
        services.target_save(actor=dt, pep=pep, fields=LONG_TARGET)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        data = pdf.html_to_pdf(pdf.build_pep_html(pep))
    path = tmp_path / "pep.pdf"
    path.write_bytes(data)
    return path


def layout_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def words(path) -> list[dict]:
    """Every word with its page and box, from ``pdftotext -bbox``."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for number, page in enumerate(ET.fromstring(xhtml).iter(f"{XHTML}page"), start=1):
        for word in page.iter(f"{XHTML}word"):
            box = {k: float(word.get(k)) for k in ("xMin", "xMax", "yMin", "yMax")}
            found.append({"text": word.text, "page": number, **box})
    return found


def test_responsible_is_never_broken_mid_word(rendered):
    text = layout_text(rendered)
    assert "Who is responsible" in text or re.search(r"\bresponsible\b", text)
    for match in re.finditer(r"responsib\w*", text):
        assert match.group() == "responsible", text[match.start() - 80 : match.end() + 80]
    for match in re.finditer(r"\bInterventions?\w*|\bindependently\w*", text):
        assert match.group() in ("Intervention", "Interventions", "independently")


def test_last_terms_date_stays_in_its_column_clear_of_the_outcome(rendered):
    text = layout_text(rendered)
    section = text[text.index("Last term's targets and how they went") :]
    section = section[: section.index("This term's SMART targets")]
    [row] = [line for line in section.splitlines() if "September" in line]
    # The date reads whole on the row's first line, with clear space before the outcome.
    assert re.search(r"30 September 2027 {2,}Partly achieved", row), row

    placed = words(rendered)
    september = next(w for w in placed if w["text"] == "September")
    on_row = sorted(
        (
            w
            for w in placed
            if w["page"] == september["page"] and abs(w["yMin"] - september["yMin"]) < 1
        ),
        key=lambda w: w["xMin"],
    )
    texts = [w["text"] for w in on_row]
    year = on_row[texts.index("September") + 1]
    outcome = on_row[texts.index("Partly")]
    assert year["text"] == "2027"
    assert year["xMax"] + 4 < outcome["xMin"]  # at least 4pt of white space between them


def test_a_long_unbroken_token_still_wraps_inside_its_column(world, clock_at, tmp_path):
    clock_at(date(2027, 5, 10))
    pep = start(world)
    link = "https://example.org/" + "reading-plan-" * 8
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        services.target_save(
            actor=dt, pep=pep, fields={**TARGET, "responsible": link, "due_date": DUE}
        )
    with authority_context(local_authority_ids=[world.a.la.pk]):
        data = pdf.html_to_pdf(pdf.build_pep_html(pep))
    path = tmp_path / "pep.pdf"
    path.write_bytes(data)
    placed = words(path)
    width = max(w["xMax"] for w in placed if w["text"].startswith("Page"))
    pieces = [w for w in placed if "reading-plan" in w["text"]]
    assert len(pieces) > 1  # broken over lines, not running across the next columns
    header = next(w for w in placed if w["text"] == "By")  # the "By when" column
    assert all(w["xMax"] <= header["xMin"] for w in pieces if w["yMin"] > header["yMax"])
    assert all(w["xMax"] <= width for w in pieces)
