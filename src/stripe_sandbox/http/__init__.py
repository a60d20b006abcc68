"""The sandbox's HTTP face: Stripe's v1 API, hosted pages and control endpoints."""
