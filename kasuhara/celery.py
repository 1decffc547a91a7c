"""The Celery application.

Without a broker (``CELERY_BROKER_URL`` unset) tasks run in-process (eager), so ``make run``
needs no Redis; with one, they go through it to the worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kasuhara.settings")

app = Celery("kasuhara")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
