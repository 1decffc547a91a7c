"""Fixtures of the counterpart tests: the incidents fixtures (``make_report``), and counterparts."""

from __future__ import annotations

import pytest

from tests.incidents.conftest import colleague, make_report, neighbour  # noqa: F401


@pytest.fixture
def make_counterpart(users):
    """``make_counterpart(name=…, phone=…, address=…)``: a counterpart registered by ``desk``."""
    from counterparts.models import Counterpart

    def make(**fields):
        return Counterpart.objects.create(created_by=users["desk"], **fields)

    return make


@pytest.fixture
def link(users):
    """``link(counterpart, report)``: linked as the 相談窓口 does it."""
    from counterparts import services

    def make(counterpart, report):
        return services.link_report(actor=users["desk"], counterpart=counterpart, report=report, ip_address=None)

    return make
