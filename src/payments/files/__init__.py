"""Uploaded files (Stripe's File object: dispute evidence), kept through a storage port:
a local directory by default."""
