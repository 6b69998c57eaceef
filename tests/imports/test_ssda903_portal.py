"""The SSDA903 journey in the portal: upload, preview (every error and warning), confirm
(the same stored files checked again; refused when the records changed since), and the
background import's progress page. Only the Virtual School and LA administrators."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from children.models import Child
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from imports import tasks
from imports.ssda903 import codes
from imports.ssda903.synthetic import csv_bytes, valid_upn
from portal.imports import ssda903_views

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 2)
URL = "/data/ssda903/"


@pytest.fixture
def importing(world, clock_at, settings, tmp_path):
    clock_at(TODAY)
    settings.MEDIA_ROOT = tmp_path
    return world


def ep(child, decom, **more):
    row = {"CHILD": child, "DECOM": decom, "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U4"}
    return {**row, "PLACE_PROVIDER": "PR1", **more}


def files(header=None, episodes=None):
    header = header or [
        {"CHILD": "P1", "SEX": "F", "DOB": "01/09/2012", "UPN": valid_upn("886", 3)},
        {"CHILD": "P2", "SEX": "M", "DOB": "01/09/2011", "UPN": "A123"},
    ]
    episodes = episodes or [ep("P1", "01/04/2025"), ep("P2", "01/05/2025")]
    return {
        "header": SimpleUploadedFile("header.csv", csv_bytes(codes.HEADER_COLUMNS, header)),
        "episodes": SimpleUploadedFile("episodes.csv", csv_bytes(codes.EPISODE_COLUMNS, episodes)),
    }


def kent_children(world):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        return set(Child.objects.exclude(la_child_id="").values_list("la_child_id", flat=True))


def test_upload_preview_confirm(client, importing):
    client.force_login(importing.a.users[Role.VS_OFFICER])
    assert (
        'href="/data/ssda903/">Import the SSDA903 extract'
        in client.get("/virtual-school/").content.decode()
    )
    page = client.get(URL)
    assert page.status_code == 200
    assert "<title>Import the SSDA903 extract – ePEP</title>" in page.content.decode()
    preview = client.post(URL, files())
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "Check what will change" in text and "Import these changes" in text
    assert "The UPN A123 is not valid" in text  # the warning, listed
    assert kent_children(importing) == set()  # the preview wrote nothing
    token = preview.context["confirm_form"].initial["token"]
    done = client.post("/data/ssda903/confirm/", {"token": token})
    assert done.status_code == 200
    assert "SSDA903 extract imported" in done.content.decode()
    assert done.context["result"]["children_created"] == 2
    assert kent_children(importing) == {"P1", "P2"}


def test_errors_are_listed_and_cannot_be_confirmed(client, importing):
    client.force_login(importing.a.users[Role.LA_ADMIN])
    bad = files(episodes=[ep("P1", "31/02/2025"), ep("NOBODY", "01/05/2025")])
    preview = client.post(URL, bad)
    text = preview.content.decode()
    assert "The files cannot be imported" in text and "2 errors in the files" in text
    assert "“31/02/2025” is not a real date" in text
    assert "The child NOBODY is not in the header file" in text
    assert preview.context["confirm_form"] is None
    assert "Import these changes" not in text
    assert kent_children(importing) == set()


def test_a_missing_file_is_said_beside_the_field_and_in_the_summary(client, importing):
    client.force_login(importing.a.users[Role.VS_HEAD])
    response = client.post(URL, {"header": files()["header"]})
    assert response.status_code == 400
    text = response.content.decode()
    assert text.count("Select the episodes file") == 2
    assert '<a href="#id_episodes">' in text


def test_the_confirm_is_refused_when_the_records_changed_since_the_preview(client, importing):
    client.force_login(importing.a.users[Role.VS_OFFICER])
    token = client.post(URL, files()).context["confirm_form"].initial["token"]
    # Someone imports the same files in the meantime.
    other = client.post(URL, files()).context["confirm_form"].initial["token"]
    client.post("/data/ssda903/confirm/", {"token": other})
    again = client.post("/data/ssda903/confirm/", {"token": token})
    text = again.content.decode()
    assert "changed since the preview, so nothing was imported" in text
    assert again.context["result"].children_unchanged == 2
    with authority_context(local_authority_ids=[importing.a.la.pk]):
        assert Child.objects.filter(la_child_id="P1").count() == 1


def test_only_the_virtual_school_and_administrators_import(client, importing):
    for role in (Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.IRO, Role.CARER):
        client.force_login(importing.a.users[role])
        assert client.get(URL).status_code == 404, role
        assert client.post(URL, files()).status_code == 404, role


def test_a_preview_token_is_the_uploaders_own(client, importing):
    client.force_login(importing.a.users[Role.VS_OFFICER])
    token = client.post(URL, files()).context["confirm_form"].initial["token"]
    client.force_login(importing.a.users[Role.VS_HEAD])
    assert client.post("/data/ssda903/confirm/", {"token": token}).status_code == 404
    client.force_login(importing.b.users[Role.VS_OFFICER])
    assert client.post("/data/ssda903/confirm/", {"token": token}).status_code == 404
    assert kent_children(importing) == set()


def test_a_large_extract_runs_in_the_background_with_a_progress_page(
    client, importing, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(ssda903_views, "BACKGROUND_FROM", 1)
    queued = []
    monkeypatch.setattr(tasks.ssda903_import_task, "delay", lambda *a, **k: queued.append((a, k)))
    client.force_login(importing.a.users[Role.VS_OFFICER])
    token = client.post(URL, files()).context["confirm_form"].initial["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/data/ssda903/confirm/", {"token": token})
    assert response.status_code == 302
    job_url = response["Location"]
    waiting = client.get(job_url)
    assert "Waiting to start." in waiting.content.decode()
    assert "Refresh to see the progress" in waiting.content.decode()
    ((args, kwargs),) = queued
    assert tasks.ssda903_import_task(*args, **kwargs) == "done"
    done = client.get(job_url)
    assert "SSDA903 extract imported" in done.content.decode()
    assert done.context["result"]["children_created"] == 2
    assert kent_children(importing) == {"P1", "P2"}
    # A redelivery does nothing more; someone else cannot see the job.
    assert tasks.ssda903_import_task(*args, **kwargs) == "done"
    client.force_login(importing.a.users[Role.VS_HEAD])
    assert client.get(job_url).status_code == 404


def test_a_background_import_refused_as_stale_says_so(client, importing):
    from imports.ssda903 import progress

    officer = importing.a.users[Role.VS_OFFICER]
    job_id = "ab" * 16
    progress.job_start(job_id, user_id=officer.pk, local_authority_id=importing.a.la.pk)
    progress.job_update(job_id, state="stale", message="The records changed since the preview.")
    client.force_login(officer)
    text = client.get(f"/data/ssda903/jobs/{job_id}/").content.decode()
    assert "There is a problem" in text and "The records changed since the preview." in text
    assert client.get("/data/ssda903/jobs/not-a-job/").status_code == 404
    assert client.get(f"/data/ssda903/jobs/{'cd' * 16}/").status_code == 404
