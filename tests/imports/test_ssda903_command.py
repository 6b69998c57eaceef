"""manage.py import_ssda903: the JSON contract (issue 15 point 1) on the shared samples
and on files the tests write: every error and warning kind, the dry run, the repeat, a
delta with moves, leavers and newcomers, and the authority boundary."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from children.models import CarePeriod, Child, Placement
from deadlines.models import Deadline, DeadlineKind
from epep.audit.models import AuditEvent
from epep.tenancy.context import authority_context
from imports.ssda903.synthetic import valid_upn, write_extract

SAMPLES = Path("/work/shared/reference/ssda903/d2i-lac-validator")
if not SAMPLES.exists():  # the checkout's own copy, when there is one
    SAMPLES = Path(__file__).resolve().parents[3] / "shared/reference/ssda903/d2i-lac-validator"
KEYS = {
    "dry_run",
    "children_created",
    "children_updated",
    "children_unchanged",
    "placements_created",
    "in_care",
    "left_care",
    "warnings",
    "errors",
}
TODAY = date(2026, 11, 2)


def run(*args) -> tuple[dict, int]:
    out = io.StringIO()
    status = 0
    try:
        call_command("import_ssda903", *args, "--json", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        status = error.returncode
    text = out.getvalue()
    data = json.loads(text)  # exactly one JSON object: anything else fails here
    assert set(data) == KEYS
    for problem in data["warnings"] + data["errors"]:
        assert set(problem) == {"file", "row", "column", "message"}
    return data, status


def files_args(paths: dict, authority: str = "886") -> list[str]:
    args = ["--authority", authority, "--header", str(paths["header"])]
    args += ["--episodes", str(paths["episodes"])]
    if "uasc" in paths:
        args += ["--uasc", str(paths["uasc"])]
    return args


def children_of(world, side: str = "a"):
    la = getattr(world, side).la
    with authority_context(local_authority_ids=[la.pk]):
        return {
            c.la_child_id: c
            for c in Child.objects.filter(local_authority=la).exclude(la_child_id="")
        }


def episode(child, decom, rne="S", ls="C2", place="U4", dec="", rec="", **more):
    return {
        "CHILD": child,
        "DECOM": decom,
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": place,
        "PLACE_PROVIDER": "PR1",
        "DEC": dec,
        "REC": rec,
        "HOME_POST": "ME14 1XX",
        "PL_POST": "CT1 2AB",
        "URN": "SC123456",
        **more,
    }


def head(child, dob="01/09/2012", sex="1", upn=""):
    return {"CHILD": child, "SEX": sex, "DOB": dob, "UPN": upn}


@pytest.fixture
def today(clock_at):
    clock_at(TODAY)


@pytest.fixture
def first_extract(tmp_path):
    """Three children: one in care with a move and a change of legal status, one who left
    care, one in care with a UASC row."""
    header = [
        head("C1", upn=valid_upn("886", 1)),
        head("C2", dob="15/03/2010", sex="F"),
        head("C3", dob="02/02/2009", sex="M", upn="UN2"),
    ]
    episodes = [
        episode("C1", "01/04/2025", dec="10/06/2025", rec="X1"),
        episode("C1", "10/06/2025", rne="P", place="K2", dec="01/08/2025", rec="X1"),
        episode("C1", "01/08/2025", rne="L", ls="E1", place="K2"),
        episode("C2", "05/05/2025", ls="V2", place="U1", dec="20/09/2025", rec="E13"),
        episode("C3", "01/07/2025", ls="V2", place="H5"),
    ]
    uasc = [{"CHILD": "C3", "DOB": "02/02/2009", "DUC": "02/02/2027"}]
    return write_extract(tmp_path / "one", header=header, episodes=episodes, uasc=uasc)


def test_first_import_creates_the_children_periods_and_placements(world, today, first_extract):
    data, status = run(*files_args(first_extract))
    assert status == 0
    assert data == {
        "dry_run": False,
        "children_created": 3,
        "children_updated": 0,
        "children_unchanged": 0,
        "placements_created": 4,
        "in_care": 2,
        "left_care": 1,
        "warnings": [],
        "errors": [],
    }
    children = children_of(world)
    one, two, three = children["C1"], children["C2"], children["C3"]
    assert one.upn == valid_upn("886", 1)
    assert (one.entered_care_on, one.left_care_on, one.legal_status) == (
        date(2025, 4, 1),
        None,
        "E1",
    )
    assert (two.gender, two.left_care_on) == ("female", date(2025, 9, 20))
    assert three.upn == "" and three.is_uasc and three.gender == "male"
    with authority_context(local_authority_ids=[world.a.la.pk]):
        placements = list(
            Placement.objects.filter(child=one)
            .order_by("start_date")
            .values_list(
                "start_date", "end_date", "placement_type", "ssda903_place", "provider_urn"
            )
        )
        assert placements == [
            (date(2025, 4, 1), date(2025, 6, 10), "foster", "U4", "SC123456"),
            (date(2025, 6, 10), None, "residential", "K2", "SC123456"),
        ]
        period = CarePeriod.objects.get(child=two)
        assert (period.ended_on, period.reason_ended) == (date(2025, 9, 20), "E13")
        supported = Placement.objects.get(child=three)
        assert (supported.placement_type, supported.ssda903_place) == ("supported", "H5")
        # The same obligations as a person recording them: the first PEP for a child who
        # entered care and is still in care.
        assert Deadline.objects.filter(child=one, kind=DeadlineKind.FIRST_PEP).exists()
        # Audited: an event per child and one for the import (the system's: no person).
        assert AuditEvent.objects.filter(
            child_public_id=one.public_id, action="create", role="system"
        ).exists()
        assert AuditEvent.objects.filter(object_type="imports.ssda903").count() == 1


def test_importing_the_same_files_again_changes_nothing(world, today, first_extract):
    run(*files_args(first_extract))
    before = {k: (c.updated_at, c.pk) for k, c in children_of(world).items()}
    data, status = run(*files_args(first_extract))
    assert status == 0
    assert (
        data["children_created"],
        data["children_updated"],
        data["placements_created"],
        data["children_unchanged"],
    ) == (0, 0, 0, 3)
    assert {k: (c.updated_at, c.pk) for k, c in children_of(world).items()} == before


def test_dry_run_counts_and_writes_nothing(world, today, first_extract):
    data, status = run(*files_args(first_extract), "--dry-run")
    assert status == 0
    assert data["dry_run"] is True
    assert (data["children_created"], data["placements_created"], data["in_care"]) == (3, 4, 2)
    assert children_of(world) == {}


def test_a_later_extract_updates_exactly_the_movers_leavers_and_newcomers(
    world, today, first_extract, tmp_path
):
    run(*files_args(first_extract))
    header = [
        head("C1", upn=valid_upn("886", 1)),
        head("C2", dob="15/03/2010", sex="F"),
        head("C3", dob="02/02/2009", sex="M", upn="UN2"),
        head("C4", dob="03/03/2015"),
    ]
    episodes = [
        # C1 moves again (a new placement from 1 October).
        episode("C1", "01/08/2025", rne="L", ls="E1", place="K2", dec="01/10/2025", rec="X1"),
        episode("C1", "01/10/2025", rne="T", ls="E1", place="U5"),
        # C2 comes back into care.
        episode("C2", "05/05/2025", ls="V2", place="U1", dec="20/09/2025", rec="E13"),
        episode("C2", "01/02/2026", ls="C1", place="U6"),
        # C3 leaves care.
        episode("C3", "01/07/2025", ls="V2", place="H5", dec="01/03/2026", rec="E5"),
        # C4 is new.
        episode("C4", "15/01/2026", place="U4"),
    ]
    uasc = [{"CHILD": "C3", "DOB": "02/02/2009", "DUC": "02/02/2027"}]
    later = write_extract(tmp_path / "two", header=header, episodes=episodes, uasc=uasc)
    data, status = run(*files_args(later))
    assert status == 0, data["errors"]
    assert (
        data["children_created"],
        data["children_updated"],
        data["children_unchanged"],
        data["placements_created"],
        data["in_care"],
        data["left_care"],
    ) == (1, 3, 0, 3, 3, 1)
    children = children_of(world)
    assert children["C1"].legal_status == "E1" and children["C1"].entered_care_on == date(
        2025, 4, 1
    )
    assert (children["C2"].entered_care_on, children["C2"].left_care_on) == (
        date(2026, 2, 1),
        None,
    )
    assert children["C3"].left_care_on == date(2026, 3, 1)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        # C1's history before the later extract is kept; the K2 placement ended.
        assert list(
            Placement.objects.filter(child=children["C1"])
            .order_by("start_date")
            .values_list("start_date", "end_date", "ssda903_place")
        ) == [
            (date(2025, 4, 1), date(2025, 6, 10), "U4"),
            (date(2025, 6, 10), date(2025, 10, 1), "K2"),
            (date(2025, 10, 1), None, "U5"),
        ]
        assert CarePeriod.objects.filter(child=children["C2"]).count() == 2
        assert Deadline.objects.filter(
            child=children["C1"], kind=DeadlineKind.NEW_PLACEMENT
        ).exists()
    again, _ = run(*files_args(later))
    assert (again["children_updated"], again["children_unchanged"]) == (0, 4)


def test_every_error_kind_is_reported_and_nothing_is_written(world, today, tmp_path):
    header = [
        head("E1", dob="31/02/2012"),  # not a real date
        head("E2", dob="01/01/2020"),
        head("E2"),  # twice
        head("E3", sex="X"),
        head("E4"),
    ]
    episodes = [
        episode("E2", "01/01/2019"),  # before the date of birth
        episode("E4", "01/05/2025", dec="01/04/2025", rec="E13"),  # DEC before DECOM
        episode("E4", "01/06/2025"),
        episode("E4", "01/07/2025", rne="P"),  # overlaps the open one above
        episode("NOPE", "01/06/2025"),  # not in the header
        episode(
            "E4",
            "01/09/2025",
            rne="Q",
            ls="ZZ",
            place="Q9",
            PLACE_PROVIDER="PR9",
            CIN="N9",
            dec="02/09/2025",
            rec="E99",
            REASON_PLACE_CHANGE="WHIM",
        ),
    ]
    paths = write_extract(tmp_path / "bad", header=header, episodes=episodes)
    data, status = run(*files_args(paths))
    assert status == 1
    errors = {(e["file"], e["row"], e["column"]) for e in data["errors"]}
    assert errors == {
        ("header", 2, "DOB"),
        ("header", 4, "CHILD"),
        ("header", 5, "SEX"),
        ("episodes", 2, "DECOM"),
        ("episodes", 3, "DEC"),
        ("episodes", 5, "DECOM"),
        ("episodes", 6, "CHILD"),
        ("episodes", 7, "DECOM"),
        ("episodes", 7, "RNE"),
        ("episodes", 7, "LS"),
        ("episodes", 7, "CIN"),
        ("episodes", 7, "PLACE"),
        ("episodes", 7, "PLACE_PROVIDER"),
        ("episodes", 7, "REC"),
        ("episodes", 7, "REASON_PLACE_CHANGE"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in data["errors"]}
    assert (
        messages[(2, "DOB")]
        == "“31/02/2012” is not a real date: write the date of birth as dd/mm/yyyy."
    )
    assert messages[(4, "CHILD")].startswith("The child E2 is already on row 3")
    assert "not in the header file" in messages[(6, "CHILD")]
    assert "“ZZ” is not a DfE legal status code" in messages[(7, "LS")]
    assert children_of(world) == {}


def test_a_missing_column_is_an_error(world, today, tmp_path):
    paths = write_extract(
        tmp_path / "cols", header=[head("M1")], episodes=[episode("M1", "01/05/2025")]
    )
    text = paths["episodes"].read_text().replace("LS,", "LEGAL,", 1)
    paths["episodes"].write_text(text)
    data, status = run(*files_args(paths))
    assert status == 1
    assert data["errors"] == [
        {
            "file": "episodes",
            "row": 1,
            "column": "LS",
            "message": "The episodes file has no LS column. The first row must name the "
            "columns of the DfE layout.",
        }
    ]


def test_upn_warnings_import_the_child_without_it(world, today, tmp_path):
    good = valid_upn("886", 7)
    wrong_letter = ("A" if good[0] != "A" else "B") + good[1:]
    rest = "999000024001"  # 999 is no LA code
    from children.identifiers import upn_check_letter

    unknown_la = upn_check_letter(rest) + rest
    header = [head("U1", upn=wrong_letter), head("U2", upn=unknown_la), head("U3", upn="UN1")]
    episodes = [episode(c, "01/05/2025") for c in ("U1", "U2", "U3")]
    paths = write_extract(tmp_path / "upn", header=header, episodes=episodes)
    data, status = run(*files_args(paths))
    assert status == 0
    assert [(w["file"], w["row"], w["column"]) for w in data["warnings"]] == [
        ("header", 2, "UPN"),
        ("header", 3, "UPN"),
    ]
    assert "check letter" in data["warnings"][0]["message"]
    assert "not a DfE local authority code" in data["warnings"][1]["message"]
    assert data["children_created"] == 3
    assert {c.upn for c in children_of(world).values()} == {""}


def test_an_import_for_one_authority_cannot_touch_anothers_children(world, today, tmp_path):
    theirs = world.b.child
    with authority_context(local_authority_ids=[world.b.la.pk]):
        Child.objects.filter(pk=theirs.pk).update(la_child_id="B1")
        before = Child.objects.values().get(pk=theirs.pk)
    paths = write_extract(
        tmp_path / "rls",
        header=[head("B1", dob="01/01/2013", sex="2")],
        episodes=[episode("B1", "01/06/2025", dec="01/07/2025", rec="E13")],
    )
    data, status = run(*files_args(paths, authority="886"))
    assert status == 0
    assert data["children_created"] == 1  # Kent's own record, not Sefton's child
    with authority_context(local_authority_ids=[world.b.la.pk]):
        assert Child.objects.values().get(pk=theirs.pk) == before
    assert children_of(world)["B1"].local_authority_id == world.a.la.pk


def test_the_shared_samples_overlapping_episodes_stop_the_import(world, today):
    paths = {name: SAMPLES / f"{name}.csv" for name in ("header", "episodes", "uasc")}
    data, status = run(*files_args(paths), "--dry-run")
    assert status == 1
    assert len(data["errors"]) == 72
    assert {(e["file"], e["column"]) for e in data["errors"]} == {("episodes", "DECOM")}
    assert all("episodes overlap" in e["message"] for e in data["errors"])
    assert children_of(world) == {}


def test_the_shared_samples_import_without_the_overlapping_children(world, today, tmp_path):
    """The public sample (pre-2025 codes: SEX 1/2, PLACE H5/P2/Z1) imports once the 72
    overlapping episodes' children are left out; its random UPNs are warnings."""
    paths = {name: SAMPLES / f"{name}.csv" for name in ("header", "episodes", "uasc")}
    data, _ = run(*files_args(paths), "--dry-run")
    bad_rows = {e["row"] for e in data["errors"]}
    with paths["episodes"].open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    bad = {rows[r - 2]["CHILD"] for r in bad_rows}
    kept = [r for r in rows if r["CHILD"] not in bad]
    with paths["header"].open(encoding="utf-8-sig", newline="") as f:
        header = list(csv.DictReader(f))
    with paths["uasc"].open(encoding="utf-8-sig", newline="") as f:
        uasc = list(csv.DictReader(f))
    clean = write_extract(tmp_path / "samples", header=header, episodes=kept, uasc=uasc)
    data, status = run(*files_args(clean))
    assert status == 0, data["errors"][:3]
    with_episodes = {r["CHILD"] for r in kept}
    assert data["children_created"] == len(with_episodes)
    assert data["in_care"] + data["left_care"] == len(with_episodes)
    upn_warnings = [w for w in data["warnings"] if w["column"] == "UPN"]
    assert len(upn_warnings) >= 2000
    no_episode = [w for w in data["warnings"] if w["column"] == "CHILD"]
    assert len(no_episode) == len(header) - len(with_episodes)
    again, status = run(*files_args(clean))
    assert status == 0
    assert (again["children_created"], again["children_updated"], again["placements_created"]) == (
        0,
        0,
        0,
    )
    assert again["children_unchanged"] == len(with_episodes)
