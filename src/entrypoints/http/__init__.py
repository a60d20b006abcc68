"""The Litestar HTTP app (``create_app``)."""
