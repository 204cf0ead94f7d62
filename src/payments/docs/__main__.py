"""``python -m payments.docs``: regenerate every generated reference page."""

from __future__ import annotations

from pathlib import Path

from payments.docs import reference, webhook_events

PAGES = {
    "docs/reference/configuration.md": reference.configuration,
    "docs/reference/error-codes.md": reference.error_codes,
    "docs/reference/data-model.md": reference.data_model,
    "docs/reference/ledger-accounts.md": reference.ledger_accounts,
    "docs/reference/api.md": reference.api,
    "docs/reference/webhook-events.md": webhook_events.render,
    ".env.example": reference.env_example,
}


def main() -> None:
    for path, render in PAGES.items():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(render())
        print(f"wrote {path}")  # noqa: T201


if __name__ == "__main__":
    main()
