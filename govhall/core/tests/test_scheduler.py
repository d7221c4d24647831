import pytest
from django.core.management import call_command

from govhall.core.management.commands.run_scheduler import JOBS


def test_every_scheduled_job_exists():
    from importlib import import_module

    for _label, module, name in JOBS:
        assert callable(getattr(import_module(module), name)), f"{module}.{name}"


@pytest.mark.django_db
def test_scheduler_runs_every_job_once_without_errors(capsys):
    call_command("load_demo", "--quiet")
    call_command("run_scheduler", "--once")
    assert "failed" not in capsys.readouterr().err
    call_command("run_scheduler", "--once")  # idempotent: a second round is harmless
    assert "failed" not in capsys.readouterr().err
