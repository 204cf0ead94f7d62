"""``GET /metrics``: Prometheus metrics of the HTTP API (measured in process) and of the
work in the database (read when scraped, so every process reports the same)."""
