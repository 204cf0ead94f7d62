"""Reference pages generated from the code's registries, so the docs cannot drift."""
