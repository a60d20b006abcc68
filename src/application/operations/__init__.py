"""Operating the service: readiness, status, audit reports, the outbox, checks, pruning."""
