"""``billing-portal prune``'s settings: how long each kind of row is kept, the batch size.

=============================== ======= ==================================================
Variable                        Default Meaning
=============================== ======= ==================================================
PORTAL_RETAIN_INBOX_DAYS        35      processed/ignored events; at least 30 (Stripe's window)
PORTAL_RETAIN_OUTBOX_DAYS       30      sent emails
PORTAL_RETAIN_RATE_LIMIT_DAYS   1       rate-limit buckets full again (idle) this long
PORTAL_RETAIN_AUDIT_DAYS        365     portal access attempts and billing audit entries
PORTAL_PRUNE_BATCH_SIZE         1000    rows deleted per statement and transaction
=============================== ======= ==================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from application.operations.prune_data import MIN_INBOX_DAYS, RetentionPolicy
from entrypoints.env import EnvReader

_MAX_DAYS = 36500


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    policy: RetentionPolicy
    batch_size: int = 1000


def read_retention_settings(env: EnvReader) -> RetentionSettings:
    default = RetentionPolicy()
    policy = RetentionPolicy(
        inbox_days=env.number(
            "PORTAL_RETAIN_INBOX_DAYS", default.inbox_days, int, MIN_INBOX_DAYS, _MAX_DAYS
        ),
        outbox_days=env.number("PORTAL_RETAIN_OUTBOX_DAYS", default.outbox_days, int, 1, _MAX_DAYS),
        rate_limit_days=env.number(
            "PORTAL_RETAIN_RATE_LIMIT_DAYS", default.rate_limit_days, int, 1, _MAX_DAYS
        ),
        audit_days=env.number("PORTAL_RETAIN_AUDIT_DAYS", default.audit_days, int, 1, _MAX_DAYS),
    )
    return RetentionSettings(policy, env.number("PORTAL_PRUNE_BATCH_SIZE", 1000, int, 1, 100_000))
