"""Sign-in with the city's directory (organization/directory.py) against a real slapd shaped like
Active Directory (tests/ldap_server.py), through the real login page.

The directory: tanaka (所属長 group, 課 C1010), suzuki (C1010), sato (F2010), takahashi (相談窓口 and
委員 groups), ito (disabled: userAccountControl 514), watanabe (employeeID 100006), yamamoto (部長
group, 課 given by name 「福祉課」), nakamura (C1010).
"""

from __future__ import annotations

import os

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from tests.helpers import DEMO_PASSWORD, require_or_fail

INVALID_LOGIN = "正しいユーザー名とパスワードを入力してください"


@pytest.fixture
def city(users):
    """The demo organisation (and its local accounts), with the 課コード the directory uses."""
    from organization.models import Section

    shimin = Section.objects.get(name="市民課")
    fukushi = Section.objects.get(name="福祉課")
    shimin.code, fukushi.code = "C1010", "F2010"
    shimin.save()
    fukushi.save()
    return {"市民課": shimin, "福祉課": fukushi, "users": users}


def sign_in(username: str, password: str) -> tuple[Client, object]:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def signed_in_user(client: Client):
    from organization.models import User

    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_first_sign_in_creates_the_account_with_name_section_and_number(city, directory_settings):
    from organization.models import AccountSource, User

    directory_settings()
    assert not User.objects.filter(username="suzuki").exists()
    client, response = sign_in("suzuki", "suzuki-pass")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="suzuki")
    assert signed_in_user(client) == user
    assert (user.display_name, user.section, user.employee_number, user.email, user.source) == (
        "鈴木 花子", city["市民課"], "100002", "suzuki@city.test", AccountSource.DIRECTORY)
    assert not user.has_usable_password()  # the directory's password is never kept here
    assert not (user.is_section_chief or user.is_staff or user.is_superuser)
    assert "鈴木 花子" in client.get("/").content.decode()
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert entry.action_flag == ADDITION and "ディレクトリ" in entry.change_message


def test_a_section_named_by_its_name_and_a_group_role(city, directory_settings):
    from organization.models import User

    directory_settings()
    client, response = sign_in("yamamoto", "yamamoto-pass")
    assert response.status_code == 302
    user = User.objects.get(username="yamamoto")
    assert user.section == city["福祉課"] and user.is_director and not user.is_section_chief


def test_a_section_the_organisation_does_not_know_leaves_the_account_without_one(city, directory_settings):
    """Signed in all the same (the manual, their own pages); the admin or the 名簿 gives the 課."""
    from organization.models import User
    from tests.ldap_server import Person

    directory = directory_settings()
    directory.add_person(Person("kobayashi", "小林 八郎", "kobayashi-pass", "Z9999", "100009"))
    client, response = sign_in("kobayashi", "kobayashi-pass")
    assert response.status_code == 302
    user = User.objects.get(username="kobayashi")
    assert user.section is None and user.display_name == "小林 八郎"
    assert client.get("/").status_code == 200


def test_the_user_name_is_matched_whatever_the_letter_case(city, directory_settings):
    from organization.models import User

    directory_settings()
    sign_in("tanaka", "tanaka-pass")
    client, response = sign_in("  TANAKA ", "tanaka-pass")
    assert response.status_code == 302 and signed_in_user(client).username == "tanaka"
    assert User.objects.filter(username__iexact="tanaka").count() == 1


def test_a_wrong_password_is_refused_with_the_pages_message_and_creates_nothing(city, directory_settings):
    from organization.models import User

    directory_settings()
    client, response = sign_in("tanaka", "not-the-password")
    page = response.content.decode()
    assert response.status_code == 200 and INVALID_LOGIN in page
    assert 'value="tanaka"' in page  # what was typed stays in the form
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="tanaka").exists()


def test_a_disabled_directory_account_is_refused(city, directory_settings):
    """ito's password is right, but userAccountControl 514 (ACCOUNTDISABLE): the AD filter leaves him out."""
    from organization.models import User

    directory_settings()
    client, response = sign_in("ito", "ito-pass")
    assert response.status_code == 200 and INVALID_LOGIN in response.content.decode()
    assert signed_in_user(client) is None and not User.objects.filter(username="ito").exists()


def test_roles_follow_the_directorys_groups_at_every_sign_in(city, directory_settings):
    from organization.models import User

    directory = directory_settings()
    client, _response = sign_in("tanaka", "tanaka-pass")
    tanaka = User.objects.get(username="tanaka")
    assert tanaka.is_section_chief and tanaka.section == city["市民課"]
    assert client.get("/queue/").status_code == 200

    directory.set_member("kasuhara-chiefs", directory.people["tanaka"], False)  # the 課長 moved on
    client, _response = sign_in("tanaka", "tanaka-pass")
    tanaka.refresh_from_db()
    assert not tanaka.is_section_chief
    assert client.get("/queue/").status_code == 404

    directory.set_member("kasuhara-desk", directory.people["tanaka"], True)
    sign_in("tanaka", "tanaka-pass")
    tanaka.refresh_from_db()
    assert tanaka.is_desk and not tanaka.is_section_chief


def test_one_chief_per_section_the_group_does_not_make_a_second(city, directory_settings, settings):
    """The demo's 「市民 課長」 heads 市民課; tanaka (市民課, in the chiefs group) is not made a second one."""
    from organization.models import User

    settings.KASUHARA_SECTION_CHIEFS = "one"
    directory_settings()
    client, response = sign_in("tanaka", "tanaka-pass")
    assert response.status_code == 302
    assert not User.objects.get(username="tanaka").is_section_chief
    assert client.get("/queue/").status_code == 404
    settings.KASUHARA_SECTION_CHIEFS = "several"
    client, _response = sign_in("tanaka", "tanaka-pass")
    assert User.objects.get(username="tanaka").is_section_chief


def test_without_a_role_mapping_the_roles_stay_what_the_admin_set(city, directory_settings):
    from organization.models import User

    directory_settings(KASUHARA_LDAP_ROLE_GROUPS=None)
    sign_in("suzuki", "suzuki-pass")
    suzuki = User.objects.get(username="suzuki")
    suzuki.is_desk = True  # given by the admin (or the 名簿)
    suzuki.save()
    client, _response = sign_in("tanaka", "tanaka-pass")
    assert not User.objects.get(username="tanaka").is_section_chief  # in the chiefs group, but unmapped
    sign_in("suzuki", "suzuki-pass")
    suzuki.refresh_from_db()
    assert suzuki.is_desk


def test_the_roster_account_is_found_by_employee_number_and_keeps_its_name_and_section(city, directory_settings):
    """watanabe's directory entry says 福祉課 (F2010) and another spelling of the name; the 職員名簿
    imported them as r100006 in 市民課. The 名簿 wins; the directory only signs them in."""
    from organization.models import AccountSource, User

    roster = User.objects.create(username="r100006", display_name="渡辺 五月", section=city["市民課"],
                                 employee_number="100006", source=AccountSource.ROSTER)
    directory_settings()
    client, response = sign_in("watanabe", "watanabe-pass")
    assert response.status_code == 302
    assert signed_in_user(client) == roster
    roster.refresh_from_db()
    assert (roster.display_name, roster.section, roster.source) == ("渡辺 五月", city["市民課"], AccountSource.ROSTER)
    assert roster.email == "watanabe@city.test"  # empty in the 名簿: filled
    assert not User.objects.filter(username="watanabe").exists()


def test_an_account_whose_number_disagrees_with_the_directory_is_refused(city, directory_settings):
    """A local account that happens to share the user name with someone else in the directory."""
    from organization.models import User

    User.objects.create(username="sato", display_name="別の 佐藤", employee_number="999999")
    directory_settings()
    client, response = sign_in("sato", "sato-pass")
    assert INVALID_LOGIN in response.content.decode() and signed_in_user(client) is None


def test_a_leaver_is_refused_although_the_directory_accepts_the_password(city, directory_settings):
    from organization.models import User

    directory_settings()
    sign_in("nakamura", "nakamura-pass")
    leaver = User.objects.get(username="nakamura")
    leaver.is_active = False  # left the city; the AD account is not disabled yet
    leaver.save()
    client, response = sign_in("nakamura", "nakamura-pass")
    assert response.status_code == 200 and INVALID_LOGIN in response.content.decode()
    assert signed_in_user(client) is None


def test_the_local_demo_accounts_still_sign_in(city, directory_settings):
    directory_settings()
    for username in ("staff", "chief", "admin"):
        client, response = sign_in(username, DEMO_PASSWORD)
        assert response.status_code == 302, username
        assert signed_in_user(client).username == username


def test_a_directory_that_is_down_does_not_stop_local_sign_in(city, directory_settings):
    from tests.ldap_server import free_port

    directory_settings(KASUHARA_LDAP_URL=f"ldap://127.0.0.1:{free_port()}")  # nothing listens there
    client, response = sign_in("staff", DEMO_PASSWORD)
    assert response.status_code == 302 and signed_in_user(client).username == "staff"
    client, response = sign_in("tanaka", "tanaka-pass")
    assert response.status_code == 200 and INVALID_LOGIN in response.content.decode()


def test_start_tls_with_the_citys_ca(city, directory_settings):
    from organization.models import User

    directory = directory_settings(KASUHARA_LDAP_START_TLS="true", KASUHARA_LDAP_CA_FILE=None)
    client, response = sign_in("suzuki", "suzuki-pass")  # the server's certificate is not trusted
    assert INVALID_LOGIN in response.content.decode() and not User.objects.filter(username="suzuki").exists()

    directory_settings(KASUHARA_LDAP_START_TLS="true", KASUHARA_LDAP_CA_FILE=directory.ca_file)
    client, response = sign_in("suzuki", "suzuki-pass")
    assert response.status_code == 302 and signed_in_user(client).username == "suzuki"


def test_ldaps_with_the_citys_ca(city, directory_settings):
    directory = directory_settings()
    directory_settings(KASUHARA_LDAP_URL=directory.ldaps_url, KASUHARA_LDAP_CA_FILE=directory.ca_file)
    client, response = sign_in("suzuki", "suzuki-pass")
    assert response.status_code == 302 and signed_in_user(client).username == "suzuki"


def test_groups_of_names_as_openldap_keeps_them(city, directory_settings):
    from organization.models import User

    directory_settings(KASUHARA_LDAP_GROUP_TYPE="group_of_names")
    sign_in("takahashi", "takahashi-pass")
    user = User.objects.get(username="takahashi")
    assert user.is_desk and user.is_committee_member and not user.is_committee_chair


# -- the settings, without a server ----------------------------------------------------------

def _env(**values: str) -> dict[str, str]:
    return {"KASUHARA_LDAP_URL": "ldaps://dc01.city.local", "KASUHARA_LDAP_USER_BASE": "OU=Staff,DC=city,DC=local",
            **values}


def _need_python_ldap() -> None:
    """python-ldap comes with requirements-ldap.txt, which ``make install-dev`` installs."""
    from importlib.util import find_spec

    require_or_fail(find_spec("ldap") is not None, "python-ldap (requirements-ldap.txt)")


def test_without_a_url_only_the_local_accounts():
    from organization.directory import settings_from_env

    assert settings_from_env({})["AUTHENTICATION_BACKENDS"] == [
        "axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]


def test_the_active_directory_example_of_the_readme():
    _need_python_ldap()
    import ldap

    from organization.directory import AD_USER_FILTER, settings_from_env

    built = settings_from_env(_env(
        KASUHARA_LDAP_BIND_DN="CN=svc-kasuhara,OU=Service,DC=city,DC=local",
        KASUHARA_LDAP_ROLE_GROUPS="section_chief=CN=kasuhara-chiefs, OU=Groups,DC=city,DC=local;"
                                  "desk=CN=kasuhara-desk,OU=Groups,DC=city,DC=local;"
                                  "section_chief=CN=kasuhara-deputies,OU=Groups,DC=city,DC=local",
    ))
    assert built["AUTHENTICATION_BACKENDS"][:2] == [
        "axes.backends.AxesStandaloneBackend", "organization.directory.DirectoryBackend"]
    assert built["AUTH_LDAP_USER_SEARCH"].filterstr == AD_USER_FILTER
    assert built["AUTH_LDAP_USER_FLAGS_BY_GROUP"] == {
        "is_section_chief": ["cn=kasuhara-chiefs,ou=groups,dc=city,dc=local",
                             "cn=kasuhara-deputies,ou=groups,dc=city,dc=local"],
        "is_desk": ["cn=kasuhara-desk,ou=groups,dc=city,dc=local"],
    }
    assert built["AUTH_LDAP_CONNECTION_OPTIONS"][ldap.OPT_X_TLS_REQUIRE_CERT] == ldap.OPT_X_TLS_DEMAND
    assert type(built["AUTH_LDAP_GROUP_TYPE"]).__name__ == "NestedActiveDirectoryGroupType"


@pytest.mark.parametrize(("values", "words"), [
    ({"KASUHARA_LDAP_ROLE_GROUPS": "admin=CN=admins,DC=city,DC=local"}, "管理者権限"),
    ({"KASUHARA_LDAP_ROLE_GROUPS": "is_staff=CN=admins,DC=city,DC=local"}, "使えません"),
    ({"KASUHARA_LDAP_ROLE_GROUPS": "section_chief"}, "役割=グループのDN"),
    ({"KASUHARA_LDAP_ROLE_GROUPS": "desk=not a dn"}, "DN"),
    ({"KASUHARA_LDAP_URL": "https://dc01.city.local"}, "ldap://"),
    ({"KASUHARA_LDAP_START_TLS": "true"}, "ldaps://"),
    ({"KASUHARA_LDAP_START_TLS": "perhaps", "KASUHARA_LDAP_URL": "ldap://dc01"}, "true か false"),
    ({"KASUHARA_LDAP_USER_BASE": ""}, "KASUHARA_LDAP_USER_BASE"),
    ({"KASUHARA_LDAP_USER_FILTER": "(sAMAccountName=tanaka)"}, "%(user)s"),
    ({"KASUHARA_LDAP_GROUP_TYPE": "posix"}, "KASUHARA_LDAP_GROUP_TYPE"),
    ({"KASUHARA_LDAP_CA_FILE": "/nonexistent/ca.pem"}, "ありません"),
    ({"KASUHARA_LDAP_TIMEOUT": "soon"}, "秒数"),
])
def test_a_malformed_setting_is_named_in_japanese(values, words):
    _need_python_ldap()
    from organization.directory import settings_from_env

    with pytest.raises(ImproperlyConfigured, match=words.replace("(", r"\(").replace(")", r"\)")):
        settings_from_env(_env(**values))


_WITHOUT_LDAP = """
import os, sys
sys.modules.update(dict.fromkeys(["ldap", "django_auth_ldap", "django_auth_ldap.backend", "django_auth_ldap.config"]))
os.environ["DJANGO_SETTINGS_MODULE"] = "kasuhara.settings"
import django
django.setup()
from django.conf import settings
print(settings.AUTHENTICATION_BACKENDS)
"""


@pytest.mark.parametrize(("url", "expected"), [
    ("", "['axes.backends.AxesStandaloneBackend', 'django.contrib.auth.backends.ModelBackend']"),
    ("ldaps://dc01.city.local", "make install-ldap"),
])
def test_without_python_ldap_the_demo_starts_and_a_configured_directory_says_what_is_missing(url, expected, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "KASUHARA_VAR_DIR": str(tmp_path), "KASUHARA_LDAP_URL": url,
           "KASUHARA_LDAP_USER_BASE": "OU=Staff,DC=city,DC=local"}
    result = subprocess.run([sys.executable, "-c", _WITHOUT_LDAP], env=env, capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], timeout=60)
    assert expected in result.stdout + result.stderr
    assert (result.returncode == 0) == (not url)
