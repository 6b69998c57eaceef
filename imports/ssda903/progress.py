"""A background import's progress and outcome, in the shared cache (the import's own
transaction is still open while it works, so the database cannot show it)."""

from __future__ import annotations

from django.core.cache import cache

TTL = 24 * 60 * 60


def _key(job_id: str) -> str:
    return f"imports:ssda903:{job_id}"


def job_start(job_id: str, *, user_id: int, local_authority_id: int) -> None:
    cache.set(
        _key(job_id),
        {
            "user_id": user_id,
            "local_authority_id": local_authority_id,
            "state": "queued",
            "stage": "",
            "done": 0,
            "total": 0,
        },
        TTL,
    )


def job_get(job_id: str) -> dict | None:
    return cache.get(_key(job_id))


def job_update(job_id: str, **values) -> None:
    job = cache.get(_key(job_id)) or {}
    job.update(values)
    cache.set(_key(job_id), job, TTL)


def reporter(job_id: str):
    """A ``progress`` callback for ``ssda903_import`` writing to the job."""

    def report(stage: str, done: int, total: int) -> None:
        job_update(job_id, state="running", stage=stage, done=done, total=total)

    return report
