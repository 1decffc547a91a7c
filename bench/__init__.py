"""Benchmarks of the project: one shared data generator, shared measuring helpers, one script per page.

Not tests: pytest collects only ``tests/``. See bench/README.md.
"""
