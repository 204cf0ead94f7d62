"""The API's version, named by its date as Stripe's are (see ``docs/reference/api.md``)."""

API_VERSION = "2026-12-01"
