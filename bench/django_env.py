"""Import first: points Django at ``bench.settings`` and sets it up (the benchmarks are scripts)."""

import os

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
django.setup()
