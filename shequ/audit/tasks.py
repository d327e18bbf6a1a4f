"""The nightly check of the audit chain."""

import datetime as dt
import logging

from django.tasks import task

from shequ.audit.services import audit_verify
from shequ.core.scheduler import Periodic

logger = logging.getLogger("shequ.audit")


@task()
def audit_chain_check() -> dict[str, object]:
    report = audit_verify()
    if not report.ok:
        logger.error("audit chain broken at event %s: %s", report.first_broken_id, report.problem)
    return {"checked": report.checked, "ok": report.ok, "first_broken_id": report.first_broken_id}


PERIODIC = [Periodic("audit.chain_check", audit_chain_check, dt.timedelta(days=1))]
