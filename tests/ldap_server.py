"""A real directory server for the tests: Debian's slapd on a free 127.0.0.1 port, its configuration
and database in a temporary folder, loaded with a small city directory shaped like Active Directory.

The schema adds what an AD entry carries and OpenLDAP's own schemas lack (``sAMAccountName``,
``userAccountControl``, ``employeeID``, ``department``, the ``user`` and ``group`` object classes),
so the product's default AD user filter — with its bitwise-AND rule 1.2.840.113556.1.4.803 that
leaves out a disabled account — is what the tests run. The server also speaks StartTLS and ldaps://
with a certificate from a CA made here by openssl (``ca_file``).

Used by the fixtures in tests/organization/conftest.py; one server per pytest(-xdist) worker.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

BASE = "dc=city,dc=test"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "directory-admin"  # noqa: S105 - a throw-away test server
BIND_DN = f"cn=kasuhara-bind,ou=Service,{BASE}"
BIND_PASSWORD = "bind-secret"  # noqa: S105
STAFF_BASE = f"ou=Staff,{BASE}"
GROUP_BASE = f"ou=Groups,{BASE}"

#: Active Directory's attributes and classes, with AD's own OIDs. ``group`` is auxiliary here so a
#: group entry can be a groupOfNames at the same time (both group types of the product work).
AD_SCHEMA = """
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
    EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
    EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.35 NAME 'employeeID'
    EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.141 NAME 'department'
    EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.5.9 NAME 'user' SUP inetOrgPerson STRUCTURAL
    MAY ( sAMAccountName $ userAccountControl $ employeeID $ department ) )
objectclass ( 1.2.840.113556.1.5.8 NAME 'group' SUP top AUXILIARY
    MAY ( sAMAccountName $ member ) )
"""

NORMAL_ACCOUNT = 512
DISABLED_ACCOUNT = 514  # NORMAL_ACCOUNT | ACCOUNTDISABLE (2)


@dataclass
class Person:
    """A user entry: ``uid`` is the sAMAccountName (what is typed at sign-in)."""

    uid: str
    name: str
    password: str
    section: str = ""  # the ``department`` attribute: a 課コード or a 課名
    employee_id: str = ""
    mail: str = ""
    disabled: bool = False
    groups: tuple[str, ...] = ()

    @property
    def dn(self) -> str:
        return f"cn={self.uid},{STAFF_BASE}"


#: The groups (cn under ou=Groups) the product's roles map to in the tests.
GROUPS = ("kasuhara-chiefs", "kasuhara-directors", "kasuhara-desk", "kasuhara-ga-directors",
          "kasuhara-committee", "kasuhara-committee-chairs", "kasuhara-health-office")


def group_dn(cn: str) -> str:
    return f"cn={cn},{GROUP_BASE}"


#: The small directory: eight people across two 課 (C1010 市民課, F2010 福祉課).
PEOPLE = (
    Person("tanaka", "田中 一郎", "tanaka-pass", "C1010", "100001", "tanaka@city.test", groups=("kasuhara-chiefs",)),
    Person("suzuki", "鈴木 花子", "suzuki-pass", "C1010", "100002", "suzuki@city.test"),
    Person("sato", "佐藤 次郎", "sato-pass", "F2010", "100003", "sato@city.test"),
    Person("takahashi", "高橋 三郎", "takahashi-pass", "F2010", "100004", "takahashi@city.test",
           groups=("kasuhara-desk", "kasuhara-committee")),
    Person("ito", "伊藤 四郎", "ito-pass", "C1010", "100005", "ito@city.test", disabled=True),
    Person("watanabe", "渡辺 五月（ディレクトリ）", "watanabe-pass", "F2010", "100006", "watanabe@city.test"),
    Person("yamamoto", "山本 六子", "yamamoto-pass", "福祉課", "100007", "yamamoto@city.test",
           groups=("kasuhara-directors",)),
    Person("nakamura", "中村 七海", "nakamura-pass", "C1010", "100008", "nakamura@city.test"),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def person_entry(person: Person) -> list[tuple[str, list[bytes]]]:
    family, _, given = person.name.partition(" ")
    attrs = {
        "objectClass": ["top", "person", "organizationalPerson", "inetOrgPerson", "user"],
        "cn": [person.uid],
        "sn": [family or person.uid],
        "givenName": [given] if given else [],
        "displayName": [person.name],
        "sAMAccountName": [person.uid],
        "userAccountControl": [str(DISABLED_ACCOUNT if person.disabled else NORMAL_ACCOUNT)],
        "employeeID": [person.employee_id] if person.employee_id else [],
        "department": [person.section] if person.section else [],
        "mail": [person.mail] if person.mail else [],
        "userPassword": [person.password],
    }
    return [(key, [v.encode() for v in values]) for key, values in attrs.items() if values]


def _ldif(dn: str, attrs: list[tuple[str, list[bytes]]]) -> str:
    import base64

    lines = [f"dn: {dn}"]
    for key, values in attrs:
        for value in values:
            try:
                text = value.decode("ascii")
                safe = text == text.strip() and not text.startswith((":", "<"))
            except UnicodeDecodeError:
                safe = False
            lines.append(f"{key}: {text}" if safe else f"{key}:: {base64.b64encode(value).decode()}")
    return "\n".join(lines) + "\n\n"


@dataclass
class DirectoryServer:
    """One running slapd. ``url`` (plain and StartTLS), ``ldaps_url``, ``ca_file``."""

    workdir: Path
    port: int = 0
    tls_port: int = 0
    process: subprocess.Popen | None = None
    people: dict[str, Person] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    @property
    def ca_file(self) -> str:
        return str(self.workdir / "ca.pem")

    # -- start and stop ------------------------------------------------------------------------

    def start(self) -> None:
        self._make_certificates()
        (self.workdir / "schema").mkdir()
        (self.workdir / "schema" / "ad.schema").write_text(AD_SCHEMA)
        (self.workdir / "db").mkdir()
        (self.workdir / "slapd.conf").write_text(self._config())
        ldif = self.workdir / "city.ldif"
        ldif.write_text(self._initial_ldif())
        subprocess.run([SLAPADD, "-q", "-f", str(self.workdir / "slapd.conf"), "-l", str(ldif)],
                       check=True, capture_output=True, timeout=60)
        for _attempt in range(3):
            self.port, self.tls_port = free_port(), free_port()
            log = open(self.workdir / "slapd.log", "ab")  # noqa: SIM115 - closed with the process
            self.process = subprocess.Popen(
                [SLAPD, "-f", str(self.workdir / "slapd.conf"), "-d", "0",
                 "-h", f"{self.url}/ {self.ldaps_url}/"],
                stdout=log, stderr=log, start_new_session=True,
            )
            log.close()
            if self._wait_until_answering():
                return
            self.stop_process()
        raise RuntimeError(f"slapd did not start: {(self.workdir / 'slapd.log').read_text()[-2000:]}")

    def stop_process(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def _wait_until_answering(self, seconds: float = 10) -> bool:
        import ldap

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                conn = self.admin()
                conn.unbind_s()
                return True
            except ldap.LDAPError:
                time.sleep(0.1)
        return False

    # -- changes the tests make ----------------------------------------------------------------

    def admin(self):
        """A connection bound as the directory's administrator (rootdn)."""
        import ldap

        conn = ldap.initialize(self.url)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)
        conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return conn

    def add_person(self, person: Person) -> None:
        """Add (or replace) a user entry and put it into its groups."""
        import ldap

        conn = self.admin()
        try:
            try:
                conn.delete_s(person.dn)
            except ldap.NO_SUCH_OBJECT:
                pass
            conn.add_s(person.dn, person_entry(person))
        finally:
            conn.unbind_s()
        for cn in GROUPS:
            self.set_member(cn, person, cn in person.groups)
        self.people[person.uid] = person

    def set_member(self, cn: str, person: Person, member: bool) -> None:
        import ldap

        conn = self.admin()
        try:
            conn.modify_s(group_dn(cn), [(ldap.MOD_ADD if member else ldap.MOD_DELETE, "member", [person.dn.encode()])])
        except (ldap.TYPE_OR_VALUE_EXISTS, ldap.NO_SUCH_ATTRIBUTE):
            pass  # already (not) a member
        finally:
            conn.unbind_s()

    def members(self, cn: str) -> set[str]:
        conn = self.admin()
        try:
            [(_dn, attrs)] = conn.search_s(group_dn(cn), 0, "(objectClass=*)", ["member"])
        finally:
            conn.unbind_s()
        return {value.decode().lower() for value in attrs.get("member", [])}

    def reset(self) -> None:
        """Back to the initial directory: the eight people, each in their own groups only."""
        for person in PEOPLE:
            self.add_person(person)
        for uid in [uid for uid in self.people if uid not in {p.uid for p in PEOPLE}]:
            self.remove_person(uid)

    def remove_person(self, uid: str) -> None:
        import ldap

        person = self.people.pop(uid)
        for cn in GROUPS:
            self.set_member(cn, person, False)
        conn = self.admin()
        try:
            conn.delete_s(person.dn)
        except ldap.NO_SUCH_OBJECT:
            pass
        finally:
            conn.unbind_s()

    # -- files ---------------------------------------------------------------------------------

    def _config(self) -> str:
        w = self.workdir
        schemas = "\n".join(f"include {SCHEMA_DIR / name}.schema" for name in ("core", "cosine", "inetorgperson"))
        return f"""{schemas}
include {w / 'schema' / 'ad.schema'}
modulepath {MODULE_DIR}
moduleload back_mdb
pidfile {w / 'slapd.pid'}
argsfile {w / 'slapd.args'}
loglevel none
TLSCACertificateFile {w / 'ca.pem'}
TLSCertificateFile {w / 'server.pem'}
TLSCertificateKeyFile {w / 'server.key'}

database mdb
maxsize 16777216
suffix "{BASE}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {w / 'db'}
index objectClass eq
index sAMAccountName eq
index member eq
access to attrs=userPassword by self write by anonymous auth by * none
access to * by dn.exact="{BIND_DN}" read by self read by * none
"""

    def _initial_ldif(self) -> str:
        import ldap  # noqa: F401 - the tests need python-ldap anyway; fail early and clearly

        parts = [
            _ldif(BASE, [("objectClass", [b"top", b"dcObject", b"organization"]), ("dc", [b"city"]),
                         ("o", [b"City"])]),
        ]
        for ou in ("Service", "Staff", "Groups"):
            parts.append(_ldif(f"ou={ou},{BASE}", [("objectClass", [b"organizationalUnit"]), ("ou", [ou.encode()])]))
        parts.append(_ldif(BIND_DN, [("objectClass", [b"person"]), ("cn", [b"kasuhara-bind"]),
                                     ("sn", [b"bind"]), ("userPassword", [BIND_PASSWORD.encode()])]))
        for person in PEOPLE:
            parts.append(_ldif(person.dn, person_entry(person)))
            self.people[person.uid] = person
        for cn in GROUPS:
            # groupOfNames needs one member: the service account (not a user, never signs in here)
            members = [BIND_DN.encode()] + [p.dn.encode() for p in PEOPLE if cn in p.groups]
            parts.append(_ldif(group_dn(cn), [("objectClass", [b"groupOfNames", b"group"]), ("cn", [cn.encode()]),
                                              ("member", members)]))
        return "".join(parts)

    def _make_certificates(self) -> None:
        w = str(self.workdir)

        def openssl(*args: str) -> None:
            subprocess.run(["openssl", *args], cwd=w, check=True, capture_output=True, timeout=60)

        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test City CA",
                "-keyout", "ca.key", "-out", "ca.pem")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", "server.key", "-out", "server.csr")
        (self.workdir / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "san.ext", "-out", "server.pem")


def available() -> bool:
    """Whether this machine can run the test directory (slapd, slapadd, openssl, python-ldap)."""
    try:
        import ldap  # noqa: F401
    except ImportError:
        return False
    return all(os.access(p, os.X_OK) for p in (SLAPD, SLAPADD)) and shutil.which("openssl") is not None


#: Role (KASUHARA_LDAP_ROLE_GROUPS) → the test group that grants it.
ROLE_GROUPS = {
    "section_chief": "kasuhara-chiefs", "director": "kasuhara-directors", "desk": "kasuhara-desk",
    "ga_director": "kasuhara-ga-directors", "committee_member": "kasuhara-committee",
    "committee_chair": "kasuhara-committee-chairs", "health_office": "kasuhara-health-office",
}


def directory_env(server: DirectoryServer, **overrides: str | None) -> dict[str, str]:
    """The environment a city would set for its AD, pointed at the test server: the default user
    filter (Active Directory's) and the default group type (nested AD groups); every role mapped.
    An override of ``None`` leaves that variable out."""
    env: dict[str, str | None] = {
        "KASUHARA_LDAP_URL": server.url,
        "KASUHARA_LDAP_BIND_DN": BIND_DN,
        "KASUHARA_LDAP_BIND_PASSWORD": BIND_PASSWORD,
        "KASUHARA_LDAP_USER_BASE": STAFF_BASE,
        "KASUHARA_LDAP_GROUP_BASE": GROUP_BASE,
        # upper case, as an AD administrator would copy them: DNs are compared case-insensitively
        "KASUHARA_LDAP_ROLE_GROUPS": ";".join(f"{role}={group_dn(cn).upper()}" for role, cn in ROLE_GROUPS.items()),
        "KASUHARA_LDAP_TIMEOUT": "3",
        **overrides,
    }
    return {key: value for key, value in env.items() if value is not None}


def apply_directory_settings(settings, env: dict[str, str]) -> None:
    """Set what ``settings_from_env`` builds on pytest-django's ``settings`` fixture."""
    from organization.directory import settings_from_env

    for name, value in settings_from_env(env).items():
        setattr(settings, name, value)


_shared: DirectoryServer | None = None
_holders = 0


def acquire() -> DirectoryServer:
    """The process's one test directory, started at the first call (fixtures in several test
    folders share it); every ``acquire`` is paired with a ``release``, the last one stops it."""
    global _shared, _holders
    if _shared is None:
        _shared = start()
    _holders += 1
    return _shared


def release() -> None:
    global _shared, _holders
    _holders -= 1
    if _holders <= 0 and _shared is not None:
        stop(_shared)
        _shared, _holders = None, 0


def start() -> DirectoryServer:
    server = DirectoryServer(Path(tempfile.mkdtemp(prefix="kasuhara-slapd-")))
    try:
        server.start()
    except BaseException:
        stop(server)
        raise
    return server


def stop(server: DirectoryServer) -> None:
    server.stop_process()
    shutil.rmtree(server.workdir, ignore_errors=True)
