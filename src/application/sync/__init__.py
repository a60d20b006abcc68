"""Issue 4, "Stay in sync": the inbox, the mirror, the outbox and the use cases around them."""
