"""Every scheduled task can actually be queued: Celery refuses a task whose soft time
limit (its own or the global default) is above its hard limit."""

from django.conf import settings

from epep.celery import app


def test_every_task_has_a_soft_limit_within_its_hard_limit():
    app.loader.import_default_modules()
    checked = 0
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert soft <= hard, f"{name}: soft {soft} > hard {hard}"
        checked += 1
    assert checked >= 8


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_every_task_uses_the_base_class_and_declares_its_authority_context():
    """No job reaches tenant rows without saying whose context it runs in, and every job
    carries the same acknowledgement settings (epep.tenancy.jobs)."""
    from epep.tenancy.jobs import SCOPES, EpepTask

    app.loader.import_default_modules()
    ours = {
        name: task for name, task in app.tasks.items() if not name.startswith(("celery.", "tests."))
    }
    assert len(ours) >= 8
    for name, task in ours.items():
        assert isinstance(task, EpepTask), f"{name} is not an EpepTask"
        assert task.context_scope in SCOPES, name
        assert task.acks_late and task.reject_on_worker_lost, name
        assert task.soft_time_limit < task.time_limit, name
