# syntax=docker/dockerfile:1
# The service's image: `docker build -t mycomputer-payments .`
# Two stages: the build stage compiles what needs a compiler into a virtualenv; the
# runtime stage is slim, holds that virtualenv and the libraries WeasyPrint needs to draw
# PDFs, and runs as an unprivileged user. The same image runs the API (`serve`, the
# default), the worker (`worker`) and one-off commands (`migrate`, `check-config`, ...).

FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/payments \
 && /opt/payments/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/payments/bin/pip install --no-cache-dir . \
 && find /opt/payments -name '__pycache__' -prune -exec rm -rf {} +

FROM python:3.11-slim-bookworm AS runtime
# WeasyPrint (invoice PDFs) draws with Pango and HarfBuzz; DejaVu gives it fonts
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/payments --create-home payments
COPY --from=build /opt/payments /opt/payments
ENV PATH=/opt/payments/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PAYMENTS_ENVIRONMENT=production \
    PAYMENTS_HOST=0.0.0.0 \
    PAYMENTS_PORT=8000 \
    PAYMENTS_DATA_DIR=/var/lib/payments
USER payments:payments
WORKDIR /var/lib/payments
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["payments", "healthcheck"]
# SIGTERM: the API stops accepting, lets requests in flight finish for
# PAYMENTS_SHUTDOWN_GRACE_SECONDS (30 s), then exits; give it longer than that to stop
STOPSIGNAL SIGTERM
ENTRYPOINT ["payments"]
CMD ["serve"]
