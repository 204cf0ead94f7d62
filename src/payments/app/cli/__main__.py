"""``python -m payments.app.cli``: the ``payments`` command (tests and bench scripts run it so)."""

import os

from payments.app.cli import main

if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
