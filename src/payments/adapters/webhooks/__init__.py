"""Outgoing webhooks over HTTP: signing, the SSRF guard, and the sender."""
