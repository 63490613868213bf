# The local Audible imitation (compose's `sandbox` profile): for trying the stack without an
# Audible account, never for production. Build from the repository root:
# docker build -f deploy/sandbox.Dockerfile .
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY audible_contract ./audible_contract
COPY audible_gateway ./audible_gateway
RUN python -m venv /venv \
    && /venv/bin/pip install -c requirements.lock '.[sandbox]'

FROM ${PYTHON_IMAGE}
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/venv/bin:$PATH
RUN useradd --system --create-home --uid 10001 app
COPY --from=build /venv /venv
WORKDIR /app
USER 10001
EXPOSE 8765
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 8765), timeout=4).close()"]
ENTRYPOINT ["python", "-m", "audible_gateway.sandbox"]
# Without --library it serves its sample library (shipped in the package).
CMD ["--host", "0.0.0.0", "--port", "8765"]
