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
