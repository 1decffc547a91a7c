# The one image behind web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    KASUHARA_VAR_DIR=/var/lib/kasuhara

WORKDIR /app
COPY requirements.txt requirements-ldap.txt ./
RUN pip install -r requirements.txt
# Directory sign-in (KASUHARA_LDAP_URL): python-ldap compiles against OpenLDAP's and SASL's headers;
# the compiler and headers leave again, the run-time libraries stay. postgresql-client-15 (the
# server's major version) gives `manage.py backup` / `restore` their pg_dump and pg_restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 postgresql-client-15 \
        gcc libc6-dev libldap2-dev libsasl2-dev \
    && pip install -r requirements-ldap.txt \
    && apt-get purge -y --auto-remove gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN useradd --system --home /app kasuhara \
    && mkdir -p /var/lib/kasuhara/uploads \
    && DJANGO_SECRET_KEY=build-only DJANGO_DEBUG=false python manage.py collectstatic --noinput \
    && chown -R kasuhara /var/lib/kasuhara
USER kasuhara
EXPOSE 8000
CMD ["gunicorn", "kasuhara.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
