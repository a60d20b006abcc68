"""Server-rendered pages the sandbox hosts (invoice page, portal placeholder)."""
