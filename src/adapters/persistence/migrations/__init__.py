"""Alembic environment and revisions (a package so that wheels ship them)."""
