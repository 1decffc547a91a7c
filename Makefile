# Two commands: `make run` (demo on 127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test install install-dev install-ldap migrate demo lint clean

$(BIN)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 が見つかりません"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Directory sign-in (LDAP / Active Directory), optional: python-ldap compiles against the Debian
# packages libldap2-dev and libsasl2-dev (apt-get install libldap2-dev libsasl2-dev).
$(BIN)/.installed-ldap: $(BIN)/.installed requirements-ldap.txt
	$(PY) -m pip install --quiet -r requirements-ldap.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed $(BIN)/.installed-ldap requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed
install-dev: $(BIN)/.installed-dev
## Production with KASUHARA_LDAP_URL: the runtime dependencies and the directory's.
install-ldap: $(BIN)/.installed-ldap

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

## Serve the demo: SQLite, tasks in-process, e-mail to the console, demo users and the manual.
run: demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole suite. Uses DATABASE_URL / CELERY_BROKER_URL when set (CI sets both).
test: install-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var/kasuhara.sqlite3 var/staticfiles
