"""Use cases of the terminal capability."""
