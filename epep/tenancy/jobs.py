"""The one way to write a background job: a Celery task that says whose rows it works on.

Every task in the project is declared with one of two decorators, both built on
:class:`EpepTask` (the retry and acknowledgement settings, written once):

``@authority_task(...)``
    The task works for one authority. It takes ``local_authority_id`` (the first
    argument, by convention; tasks older than this module keep their argument order, so
    messages already queued mean the same) and its body runs inside that authority's
    database context (``authority_context``): with row-level security it can neither
    read nor write another authority's rows.

``@every_authority_task(...)``
    The task works across authorities (a sweep that queues one job per authority, the
    outbox dispatcher): its body runs in the all-authorities system context.

``@no_authority_task(...)``
    The task works on no authority's rows (the account-email outbox, which belongs to
    no authority): its body runs in an empty context, where tenant tables show nothing.

By default the body runs inside one transaction in that context (``atomic=True``). A job
that must commit in steps (claim a row, then send an email; render a PDF outside any
transaction) passes ``atomic=False``: its body then starts outside a transaction and
opens each step with :func:`job_context`, which gives exactly the declared context again.
Outside a ``job_context`` block such a body sees no tenant rows at all.

Retries: any exception is retried with exponential backoff and jitter (``autoretry_for``);
a task lists the exceptions that retrying cannot mend in ``dont_autoretry_for``. Tasks are
acknowledged after they finish (``acks_late``) and handed out again when the worker dies
(``reject_on_worker_lost``), so each task must be idempotent. The soft time limit (the
task can clean up) is always below the hard one (the worker kills it).
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import Task, shared_task

from .context import all_authorities_context, authority_context

AUTHORITY = "authority"
ALL_AUTHORITIES = "all_authorities"
NO_AUTHORITY = "no_authority"
SCOPES = (AUTHORITY, ALL_AUTHORITIES, NO_AUTHORITY)

# The declared context of the job running now (None outside a job): (scope, authority id).
_running: contextvars.ContextVar[tuple[str, int | None] | None] = contextvars.ContextVar(
    "epep_job_context", default=None
)


class EpepTask(Task):
    """Base class of every ePEP task: retry and acknowledgement settings, and the
    declared authority context (``context_scope``; set by the decorators below)."""

    #: AUTHORITY, ALL_AUTHORITIES or NO_AUTHORITY: whose rows the task works on
    context_scope: str = ""
    #: run the whole body in one transaction in the declared context
    atomic: bool = True

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (Exception,)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
    soft_time_limit = 240
    time_limit = 300

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.context_scope not in SCOPES:
            raise TypeError(
                f"{self.name} does not declare its authority context: "
                "use @authority_task, @every_authority_task or @no_authority_task"
            )
        return super().__call__(*args, **kwargs)


@contextmanager
def job_context() -> Iterator[None]:
    """Inside a running task declared with ``atomic=False``: one transaction in exactly
    the task's declared context (its authority, or every authority)."""
    running = _running.get()
    if running is None:
        raise RuntimeError("job_context() is for the body of an ePEP task")
    scope, local_authority_id = running
    if scope == AUTHORITY:
        with authority_context(local_authority_ids=[local_authority_id]):
            yield
    elif scope == ALL_AUTHORITIES:
        with all_authorities_context():
            yield
    else:
        with authority_context(local_authority_ids=()):
            yield


def _check_limits(options: dict[str, Any]) -> None:
    soft = options.get("soft_time_limit", EpepTask.soft_time_limit)
    hard = options.get("time_limit", EpepTask.time_limit)
    if soft >= hard:
        raise ValueError(f"soft_time_limit ({soft}) must be below time_limit ({hard})")


def _in_context(fun: Callable[..., Any], scope: str, atomic: bool) -> Callable[..., Any]:
    """``fun`` wrapped so that it always runs in its declared context (whether Celery's
    worker calls it, a test calls the task, or someone calls ``task.run``)."""
    signature = inspect.signature(fun)
    if scope == AUTHORITY and "local_authority_id" not in signature.parameters:
        raise TypeError(f"{fun.__qualname__}: an authority task takes local_authority_id")

    @functools.wraps(fun)
    def run(*args: Any, **kwargs: Any) -> Any:
        if scope == AUTHORITY:
            local_authority_id = signature.bind(*args, **kwargs).arguments["local_authority_id"]
            if isinstance(local_authority_id, bool) or not isinstance(local_authority_id, int):
                raise TypeError(f"{fun.__qualname__}: local_authority_id must be an int")
            declared = (AUTHORITY, local_authority_id)
        else:
            declared = (scope, None)
        token = _running.set(declared)
        try:
            if atomic:
                with job_context():
                    return fun(*args, **kwargs)
            return fun(*args, **kwargs)
        finally:
            _running.reset(token)

    # Celery checks the arguments of .delay() against this signature.
    run.__signature__ = signature
    return run


def _decorator(scope: str, args: tuple, options: dict[str, Any]) -> Any:
    _check_limits(options)
    base = options.setdefault("base", EpepTask)
    if not issubclass(base, EpepTask):
        raise TypeError("an ePEP task's base class must subclass EpepTask")
    atomic = options.setdefault("atomic", True)
    options["context_scope"] = scope

    def declare(fun: Callable[..., Any]) -> Any:
        return shared_task(**options)(_in_context(fun, scope, atomic))

    if len(args) == 1 and callable(args[0]):  # @authority_task without parentheses
        return declare(args[0])
    if args:
        raise TypeError("pass the task's options by keyword")
    return declare


def authority_task(*args: Any, **options: Any) -> Any:
    """Declare a task that works for one authority: it takes ``local_authority_id`` (the
    first argument, by convention) and its body runs in that authority's context.
    Options are Celery's (``name``, ``max_retries``, ``dont_autoretry_for``, ...) plus
    ``atomic``."""
    return _decorator(AUTHORITY, args, options)


def every_authority_task(*args: Any, **options: Any) -> Any:
    """Declare a task that works across every authority (the all-authorities system
    context), e.g. to queue one :func:`authority_task` per authority."""
    return _decorator(ALL_AUTHORITIES, args, options)


def no_authority_task(*args: Any, **options: Any) -> Any:
    """Declare a task that reads and writes no authority's rows (an empty context)."""
    return _decorator(NO_AUTHORITY, args, options)
