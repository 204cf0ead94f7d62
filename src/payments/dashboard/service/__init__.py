"""What the dashboard's pages read, assembled from other capabilities' use cases and
repositories (never SQL of its own): the home page's figures, a payment's timeline."""
