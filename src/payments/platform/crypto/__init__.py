"""Encryption at rest: envelope encryption of personal data and secrets.

Every value is encrypted with an AES-256-GCM *data key*; the data key is stored beside
the value, *wrapped* (encrypted) by a *key-encryption key* (KEK) that a
:class:`~payments.platform.crypto.keys.KeyManager` holds: a local key file by default
(:mod:`.local`), AWS KMS in production (:mod:`.kms`). :class:`~.vault.Vault` does the
envelope work and keeps unwrapped data keys in memory; the column types in
:mod:`payments.platform.db.encrypted` call it, so repositories read and write plain
values. Searchable values get a keyed *blind index* (HMAC-SHA256 with a key of its own).
"""
