# Chain Survey: one image for the web app (gunicorn), the Celery worker and beat, and migrations.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files with hashed names, compressed, served by WhiteNoise from the image; no database needed
# (and no email: the runtime's mail settings come from .env).
RUN DJANGO_DEBUG=0 CHAINSURVEY_ALLOW_CONSOLE_EMAIL=1 DJANGO_SECRET_KEY=collectstatic-only-this-is-not-the-runtime-secret-key \
    python manage.py collectstatic --noinput

# The app runs unprivileged and cannot change its own code; beat keeps its schedule in /tmp.
RUN useradd --uid 1000 --no-create-home --home-dir /nonexistent app
USER app
ENV DJANGO_DEBUG=0

EXPOSE 8000
CMD ["gunicorn", "--config", "python:chainsurvey.gunicorn", "chainsurvey.wsgi"]
