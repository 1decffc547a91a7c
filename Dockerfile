# The one image behind web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    KASUHARA_VAR_DIR=/var/lib/kasuhara

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN useradd --system --home /app kasuhara \
    && mkdir -p /var/lib/kasuhara/uploads \
    && DJANGO_SECRET_KEY=build-only DJANGO_DEBUG=false python manage.py collectstatic --noinput \
    && chown -R kasuhara /var/lib/kasuhara
USER kasuhara
EXPOSE 8000
CMD ["gunicorn", "kasuhara.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
