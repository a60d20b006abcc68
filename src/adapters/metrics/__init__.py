"""Prometheus metrics (``prometheus_client``): the instruments and their exposition.

With ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts) every process on the host
writes its samples to files in that folder and any API process's ``/metrics`` reports the
sum over all of them, workers included; without it each process reports only its own.
"""
