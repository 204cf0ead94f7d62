"""``payments keys`` and ``payments privacy``, and the start-up check of the encryption
key, as real subprocesses."""

from __future__ import annotations

import stat
from pathlib import Path

from payments.app.bootstrap import Container
from payments.platform.crypto.local import LocalKeyFile
from support.cli import run


async def test_a_wrong_or_missing_key_file_stops_the_worker_with_one_clear_line(
    container: Container, database_url: str, tmp_path: Path
) -> None:
    await container.prepare()  # the suite's key has met this database (its canary)
    ok = run(database_url, "keys", "check")
    assert ok.returncode == 0, ok.stderr
    assert "opens the database's data" in ok.stdout

    other = LocalKeyFile(tmp_path / "other.key")
    other.load()
    for name in ("other.key", "absent.key"):
        env = {"PAYMENTS_KEY_FILE": str(tmp_path / name)}
        for command in (("worker",), ("keys", "check")):
            done = run(database_url, *command, env=env)
            assert done.returncode == 2, (command, done.stdout, done.stderr)
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1, done.stderr
            assert lines[0].startswith(f"configuration error: PAYMENTS_KEY_FILE: {tmp_path / name}")
    assert not (tmp_path / "absent.key").exists()


def test_keys_rotate_makes_a_new_version_current_and_rewraps_every_value(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'rotate.sqlite3'}"
    key_file = tmp_path / "keys" / "encryption.key"
    env = {"PAYMENTS_KEY_FILE": str(key_file)}
    migrated = run(url, "migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    first = run(url, "keys", "check", env=env)
    assert first.returncode == 0, first.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # made on first start
    rotated = run(url, "keys", "rotate", env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert "new key-encryption key k2" in rotated.stdout
    status = run(url, "keys", "status", env=env)
    assert "current key-encryption key: k2" in status.stdout
    assert "k1" not in status.stdout.split("\n", 1)[1]  # nothing left wrapped by k1
    purge = run(url, "privacy", "purge", env=env)
    assert purge.returncode == 0 and "0 erasures completed" in purge.stdout
