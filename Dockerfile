# ePEP application image: web (gunicorn), Celery worker and beat, and the one-shot migrate
# job all run from it (see docker-compose.yml). Cannot be built on the development
# machines (no Docker there); keep it in step with the Makefile and scripts/.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=epep.settings.production \
    DJANGO_MEDIA_ROOT=/app/media

# WeasyPrint: Pango (and HarfBuzz's subsetter, about twice as fast at embedding fonts);
# fonts for the PDFs' system font stack (Liberation is metric-compatible with Arial).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-liberation fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, for layer caching: exactly the versions and files CI tested
# (requirements.lock, sha256 checked, nothing resolved: see scripts/venv.sh).
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock && pip check

COPY . .

# collectstatic needs settings to load, not a database or a real secret.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only \
    DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home epep \
    && mkdir -p /app/media \
    && chown epep:epep /app/media
USER epep

EXPOSE 8000
CMD ["gunicorn", "epep.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
