import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shequ.core.models import ScheduledRun
from shequ.core.scheduler import due_jobs_enqueue, registered_jobs


def test_apps_declare_their_periodic_jobs() -> None:
    assert "audit.chain_check" in [job.name for job in registered_jobs()]


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once_per_interval(
    django_capture_on_commit_callbacks: object,
) -> None:
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert "audit.chain_check" in due_jobs_enqueue(now)
    assert DBTaskResult.objects.filter(task_path__endswith="audit_chain_check").count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert "audit.chain_check" not in due_jobs_enqueue(now + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert "audit.chain_check" in due_jobs_enqueue(now + dt.timedelta(days=1, minutes=1))
    assert DBTaskResult.objects.filter(task_path__endswith="audit_chain_check").count() == 2
    assert ScheduledRun.objects.get(
        name="audit.chain_check"
    ).last_enqueued_at == now + dt.timedelta(days=1, minutes=1)


@pytest.mark.django_db
def test_the_nightly_chain_check_reports_the_chain() -> None:
    from shequ.audit.services import Target, audit_record
    from shequ.audit.tasks import audit_chain_check

    audit_record(actor=None, action="create", obj=Target("test.thing", "1", "thing"))
    assert audit_chain_check.call() == {"checked": 1, "ok": True, "first_broken_id": None}
