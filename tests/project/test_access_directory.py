"""The access tables hold for users who came from the directory (issue 13).

Every demo user is put into a real slapd (tests/ldap_server.py) with a password and the groups of
their demo roles; in the database their role flags are cleared and their local passwords made
unusable. Each signs in through the login page, so the roles come back from the directory's
groups alone; then both access tables (tests/project/test_access_counter_to_case.py,
tests/project/test_access_numbers.py) must give the same 200 / 404 as for the demo's own accounts.
The admin rights (``is_staff``) stay the local account's: the directory does not grant them.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from organization.directory import ROLE_FLAGS
from tests.helpers import require_or_fail
from tests.project import test_access_counter_to_case as counter_to_case
from tests.project import test_access_numbers as numbers
from tests.project.test_access_counter_to_case import ROLES, wrong_statuses


@pytest.fixture
def directory():
    from tests import ldap_server

    require_or_fail(ldap_server.available(), "slapd (Debian's slapd, ldap-utils) with python-ldap")
    server = ldap_server.acquire()
    yield server
    server.reset()
    ldap_server.release()


def test_directory_users_pass_both_access_tables(db, settings, directory):
    from organization.models import User
    from tests import ldap_server

    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    demo_roles = {}
    for user in User.objects.filter(username__in=ROLES).select_related("section"):
        demo_roles[user.username] = {flag: getattr(user, flag) for flag in ROLE_FLAGS.values()}
        directory.add_person(ldap_server.Person(
            user.username, user.display_name, f"{user.username}-directory-pass", section=user.section.name,
            groups=tuple(ldap_server.ROLE_GROUPS[role] for role, flag in ROLE_FLAGS.items() if getattr(user, flag)),
        ))
    assert set(demo_roles) == set(ROLES)
    assert any(any(flags.values()) for flags in demo_roles.values())
    User.objects.filter(username__in=ROLES).update(**dict.fromkeys(ROLE_FLAGS.values(), False), password="!")
    ldap_server.apply_directory_settings(settings, ldap_server.directory_env(directory))

    clients = {}
    for role in ROLES:
        client = Client()
        response = client.post("/accounts/login/", {"username": role, "password": f"{role}-directory-pass"})
        assert response.status_code == 302, role
        assert client.session["_auth_user_backend"] == "organization.directory.DirectoryBackend", role
        clients[role] = client

    came_back = {user.username: {flag: getattr(user, flag) for flag in ROLE_FLAGS.values()}
                 for user in User.objects.filter(username__in=ROLES)}
    assert came_back == demo_roles
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser  # kept from the local account

    wrong = wrong_statuses(counter_to_case.pages(), clients.__getitem__)
    wrong += wrong_statuses(numbers.pages(), clients.__getitem__)
    assert wrong == []
