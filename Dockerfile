# opco-sandbox: every OPCO of the CFA–OPCO exchange API in one container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY sandbox ./sandbox
COPY scenarios ./scenarios
RUN pip install . \
    && useradd --create-home --uid 10001 sandbox \
    && mkdir /data \
    && chown sandbox /data

USER sandbox
WORKDIR /data
VOLUME /data
# SQLite in the /data volume unless OPCO_SANDBOX_DATABASE_URL names PostgreSQL.
ENV OPCO_SANDBOX_DATABASE_URL=sqlite:////data/opco-sandbox.db
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/akto/v1/status', timeout=2)"]
ENTRYPOINT ["opco-sandbox", "serve", "--host", "0.0.0.0"]
