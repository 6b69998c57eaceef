"""Background jobs declare whose rows they work on (epep.tenancy.jobs)."""

import pytest
from celery import shared_task

from children.models import Child
from epep.tenancy.context import current_db_context
from epep.tenancy.jobs import (
    EpepTask,
    authority_task,
    every_authority_task,
    job_context,
    no_authority_task,
)

pytestmark = pytest.mark.django_db


@authority_task(name="tests.jobs.children_seen")
def children_seen(local_authority_id: int) -> list[int]:
    return sorted(Child.objects.values_list("pk", flat=True))


@authority_task(name="tests.jobs.children_seen_in_steps", atomic=False)
def children_seen_in_steps(local_authority_id: int) -> dict:
    before = list(Child.objects.values_list("pk", flat=True))
    with job_context():
        during = sorted(Child.objects.values_list("pk", flat=True))
    return {"before": before, "during": during}


@authority_task(name="tests.jobs.child_by_id")
def child_by_id(local_authority_id: int, child_id: int) -> int:
    return Child.objects.get(pk=child_id).pk


@every_authority_task(name="tests.jobs.authorities_seen")
def authorities_seen() -> list[int]:
    return sorted(current_db_context().la_ids)


@no_authority_task(name="tests.jobs.children_seen_by_nobody")
def children_seen_by_nobody() -> list[int]:
    return list(Child.objects.values_list("pk", flat=True))


@shared_task(name="tests.jobs.undeclared", base=EpepTask)
def undeclared() -> int:
    return Child.objects.count()


def _children_of(authority) -> set[int]:
    return {authority.child.pk, authority.other_child.pk}


def test_an_authority_task_sees_only_its_own_authoritys_rows(world):
    seen = set(children_seen(world.a.la.pk))
    assert _children_of(world.a) <= seen
    assert not _children_of(world.b) & seen
    assert set(children_seen(local_authority_id=world.b.la.pk)) >= _children_of(world.b)


def test_an_authority_task_cannot_read_another_authoritys_row_by_id(world):
    assert child_by_id(world.a.la.pk, world.a.child.pk) == world.a.child.pk
    with pytest.raises(Child.DoesNotExist):
        child_by_id(world.a.la.pk, world.b.child.pk)


def test_a_stepwise_task_sees_nothing_outside_its_declared_context(world):
    result = children_seen_in_steps(world.a.la.pk)
    assert result["before"] == []
    assert _children_of(world.a) <= set(result["during"])
    assert not _children_of(world.b) & set(result["during"])


def test_an_every_authority_task_runs_in_the_all_authorities_context(world):
    assert {world.a.la.pk, world.b.la.pk} <= set(authorities_seen())


def test_the_authority_must_be_given_as_an_integer(world):
    with pytest.raises(TypeError):
        children_seen()
    with pytest.raises(TypeError):
        children_seen(str(world.a.la.pk))


def test_a_task_that_declares_no_context_refuses_to_run(world):
    with pytest.raises(TypeError, match="does not declare its authority context"):
        undeclared()


def test_job_context_is_only_for_a_running_task():
    with pytest.raises(RuntimeError):
        with job_context():
            pass


def test_the_retry_and_acknowledgement_settings_come_with_the_base_class():
    for task in (children_seen, authorities_seen):
        assert isinstance(task, EpepTask)
        assert task.acks_late and task.reject_on_worker_lost
        assert task.autoretry_for == (Exception,)
        assert task.retry_backoff and task.max_retries
        assert task.soft_time_limit < task.time_limit


def test_a_soft_limit_at_or_above_the_hard_limit_is_refused():
    with pytest.raises(ValueError):
        authority_task(name="tests.jobs.bad_limits", soft_time_limit=60, time_limit=60)


def test_a_failing_task_is_retried_with_backoff(world, monkeypatch):
    from celery.exceptions import Retry

    with pytest.raises(Retry):
        child_by_id.apply(args=(world.a.la.pk, world.b.child.pk), throw=True)


def test_calling_the_body_directly_still_runs_in_the_declared_context(world):
    seen = set(children_seen.run(world.b.la.pk))
    assert _children_of(world.b) <= seen
    assert not _children_of(world.a) & seen


def test_a_no_authority_task_sees_no_authoritys_rows(world):
    assert children_seen_by_nobody() == []
    assert set(children_seen(world.a.la.pk))  # the same query in an authority sees rows
