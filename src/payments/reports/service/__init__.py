"""Report use cases: synchronous reports (reports) and report runs with their files (runs)."""
