"""Settings for the benchmarks: the project's own settings, production-like, on the bench database.

The environment defaults are set *before* ``kasuhara.settings`` is imported, so everything it reads
from the environment still works: a DJANGO_SECRET_KEY (or DATABASE_URL …) given by the caller wins.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
# Production refuses the demo's default key; the bench gets its own unless the caller gives one.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-3f9c1a7e5b2d48")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kasuhara_bench")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

from kasuhara.settings import *  # noqa: E402,F403
from kasuhara.settings import ALLOWED_HOSTS, STORAGES  # noqa: E402

ROOT_URLCONF = "bench.urls"
# django.test.Client talks to "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# The hashed-manifest storage of production needs collectstatic; the pages render the same without it.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
