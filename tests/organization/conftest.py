"""Fixtures of the organisation's tests.

The directory (LDAP / Active Directory sign-in, organization/directory.py): ``ldap_directory`` is a
real slapd for the whole session (tests/ldap_server.py; one per xdist worker), ``directory`` hands it
to a test and puts its people and groups back afterwards, ``directory_settings(**overrides)`` points
Django's settings at it the way the environment would (KASUHARA_LDAP_*).
"""

from __future__ import annotations

import pytest

from tests.helpers import require_or_fail


@pytest.fixture(scope="session")
def ldap_directory():
    from tests import ldap_server

    require_or_fail(ldap_server.available(), "slapd (Debian's slapd, ldap-utils) with python-ldap")
    yield ldap_server.acquire()
    ldap_server.release()


@pytest.fixture
def directory(ldap_directory):
    yield ldap_directory
    ldap_directory.reset()


@pytest.fixture
def directory_settings(directory, settings):
    """``directory_settings(KASUHARA_LDAP_START_TLS="true", ...)``: configure sign-in with the test
    directory (an override of ``None`` leaves that variable out); returns the server."""
    from tests.ldap_server import apply_directory_settings, directory_env

    def configure(**overrides: str | None):
        apply_directory_settings(settings, directory_env(directory, **overrides))
        return directory

    return configure
