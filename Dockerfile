# Cổng Làng production image: install, compile translations, migrate, then serve with gunicorn.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    APP_ENV=production PORT=8000

WORKDIR /srv/conglang
RUN useradd --system --home /srv/conglang conglang

COPY pyproject.toml setup.cfg README.md ./
COPY app ./app
RUN pip install . && rm -rf build
COPY migrations ./migrations
COPY wsgi.py gunicorn.conf.py babel.cfg ./
RUN python -m babel.messages.frontend compile -d app/translations \
    && mkdir -p instance && chown -R conglang instance

USER conglang
EXPOSE 8000
# SECRET_KEY, PUBLIC_URL and DATABASE_URL come from the environment; the app refuses to start
# without a strong key and a public URL.
# Workers: gunicorn.conf.py (one on memory:// rate limits, WEB_CONCURRENCY on Redis).
CMD ["sh", "-c", "flask --app wsgi db upgrade && flask --app wsgi stats rebuild --if-empty && exec gunicorn --config gunicorn.conf.py --bind 0.0.0.0:${PORT} wsgi:app"]
