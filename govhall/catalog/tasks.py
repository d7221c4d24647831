"""The catalog's background work (django-tasks; the worker is `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def catalog_import(run_id: int) -> str:
    """Run a queued Excel import of the catalog (`excel.import_run`); returns its status."""
    from . import excel

    run = excel.import_run(run_id)
    return run.status if run is not None else "missing"
