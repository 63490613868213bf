# The Audible gateway: the only process that holds Audible credentials.
# Build from the repository root: docker build -f deploy/gateway.Dockerfile .
# Only the gateway's code and dependencies go in: no Django, no tracker, and no sandbox (the
# local Audible imitation has an image of its own, deploy/sandbox.Dockerfile). PYTHON_IMAGE
# may name another Python 3.11 base (the compose test builds one from Debian's packages).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY audible_contract ./audible_contract
COPY audible_gateway ./audible_gateway
RUN rm -rf audible_gateway/sandbox \
    && python -m venv /venv \
    && /venv/bin/pip install -c requirements.lock '.[gateway]'

FROM ${PYTHON_IMAGE}
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/venv/bin:$PATH PORT=8001
RUN useradd --system --create-home --uid 10001 app
COPY --from=build /venv /venv
WORKDIR /app
COPY deploy/gunicorn ./deploy/gunicorn
COPY deploy/entrypoint.sh ./deploy/entrypoint.sh
USER 10001
EXPOSE 8001
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os,sys,urllib.request; r=urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT','8001'), timeout=4); sys.exit(0 if r.status == 200 else 1)"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["gunicorn", "-c", "deploy/gunicorn/gateway.py", "audible_gateway:create_app()"]
