"""The ``billing-portal`` command line (click)."""
