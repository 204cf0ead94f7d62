"""What a report means, independent of where its figures come from (pure)."""
