"""Background jobs of the cases app (django-tasks; run by `db_worker`, or
called directly by `compute_warnings` / `run_scheduler`)."""

from django_tasks import task

from .services import warnings_compute


@task()
def compute_warnings_task() -> dict:
    """电子监察: raise and resolve warnings. Idempotent."""
    return warnings_compute()
