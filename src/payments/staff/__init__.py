"""Staff users of the dashboard: people (not API keys) with a role, an argon2 password,
an optional TOTP second factor, server-side sessions, and sign-in throttling."""
