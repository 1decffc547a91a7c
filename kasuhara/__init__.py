"""Kasuhara: customer-harassment incident reporting and case management for municipalities."""

from .celery import app as celery_app

__all__ = ("celery_app",)
