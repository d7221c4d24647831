import pytest
from django.core.management import call_command

from govhall.core.extensions import ExtensionPoint, periodic_jobs


def test_every_app_registers_its_periodic_jobs():
    labels = {label for label, _ in periodic_jobs.registered()}
    assert labels >= {
        "applied branch changes",
        "case and inquiry warnings",
        "leaves started",
        "staffing gap warnings",
        "appointment no-shows",
        "appointment reminders",
    }


def test_an_extension_point_keeps_one_registration_per_function():
    point = ExtensionPoint("test", "a point for this test")

    def answer():
        return 1

    point.register(answer)
    point.register(answer)
    assert [fn for _, fn in point.registered()] == [answer]


@pytest.mark.django_db
def test_scheduler_runs_every_job_once_without_errors(capsys):
    call_command("load_demo", "--quiet", "--days", "0")
    call_command("run_scheduler", "--once")
    assert "failed" not in capsys.readouterr().err
    call_command("run_scheduler", "--once")  # idempotent: a second round is harmless
    assert "failed" not in capsys.readouterr().err


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others(capsys):
    ran = []

    def broken():
        raise RuntimeError("boom")

    def fine():
        ran.append(1)
        return 1

    saved = periodic_jobs._registered[:]
    try:
        periodic_jobs.register(broken, label="broken job")
        periodic_jobs.register(fine, label="fine job")
        call_command("run_scheduler", "--once")
    finally:
        periodic_jobs._registered[:] = saved
    assert "broken job failed" in capsys.readouterr().err
    assert ran == [1]
