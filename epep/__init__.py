"""ePEP: electronic Personal Education Plans for children in care."""

from .celery import app as celery_app

__all__ = ("celery_app",)
