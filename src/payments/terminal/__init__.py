"""Terminal: card readers at the shops' counters (Stripe Terminal, server-driven) and the
receipts of the card-present payments taken on them."""
