# The tracker service (Django + DRF), also used for the one-shot migrate and the cron job.
# Build from the repository root: docker build -f deploy/tracker.Dockerfile .
# Only the tracker's code and dependencies go in: no audible_gateway (no sealing code, no
# sandbox), no Flask, no cryptography, and no key. PYTHON_IMAGE may name another Python 3.11
# base (the compose test builds one from Debian's packages).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY audible_contract ./audible_contract
COPY tracker_api ./tracker_api
RUN python -m venv /venv \
    && /venv/bin/pip install -c requirements.lock '.[tracker]'

FROM ${PYTHON_IMAGE}
# PORT is what gunicorn binds; TRACKER_PROBE_PORT is what the HEALTHCHECK probes. The startup
# checks refuse a PORT that differs (tracker_api.core.checks).
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/venv/bin:$PATH PORT=8000 \
    TRACKER_PROBE_PORT=8000 \
    DJANGO_SETTINGS_MODULE=tracker_api.config.settings TRACKER_VAR_DIR=/app/var
RUN useradd --system --create-home --uid 10001 app
COPY --from=build /venv /venv
WORKDIR /app
COPY manage.py ./
COPY deploy/gunicorn ./deploy/gunicorn
COPY deploy/entrypoint.sh deploy/db_wait.py ./deploy/
# Static files are collected at build time with a throwaway key (never used at run time).
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --skip-checks \
    && mkdir -p /app/var && chown -R app /app/var
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os,sys,urllib.request; r=urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('TRACKER_PROBE_PORT','8000'), timeout=4); sys.exit(0 if r.status == 200 else 1)"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["gunicorn", "-c", "deploy/gunicorn/tracker.py", "tracker_api.config.wsgi"]
