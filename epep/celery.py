"""The Celery application.

Tasks take ids, declare the authority context they work in (see
``epep.tenancy.context``) and call one service.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.local")

app = Celery("epep")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
