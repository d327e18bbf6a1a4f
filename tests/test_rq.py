"""Background tasks on Redis (TASKS_BACKEND=rq): a task is enqueued and a worker runs it.

Needs a Redis server on 127.0.0.1:6379; skipped where there is none (the embedded default,
the database backend, is tested everywhere else).
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def redis_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_running(), reason="no Redis server on 127.0.0.1:6379")
def test_a_task_enqueued_on_redis_is_run_by_the_rq_worker(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'rq.sqlite3'}",
        TASKS_BACKEND="rq",
        REDIS_URL="redis://127.0.0.1:6379/15",
    )

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert manage("migrate", "-v0").returncode == 0
    enqueue = manage(
        "shell",
        "-c",
        "from shequ.cases.tasks import deadline_scan_task; print(deadline_scan_task.enqueue().id)",
    )
    assert enqueue.returncode == 0, enqueue.stderr
    job_id = enqueue.stdout.strip().splitlines()[-1]
    worker = manage("rqworker", "default", "--burst", "--job-class", "django_tasks_rq.backend.Job")
    assert worker.returncode == 0, worker.stderr
    assert f"Job OK ({job_id})" in worker.stderr + worker.stdout
