"""The current request's id (or a job's id), for audit events and logs."""

from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
current_path: ContextVar[str] = ContextVar("current_path", default="")
