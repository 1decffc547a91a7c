"""Fixtures for the manual's tests (the shared ones are in tests/conftest.py)."""
