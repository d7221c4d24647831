"""Issue 17: the catalog import runs as a background task with a progress bar and a
result page, and writes in bulk (history included)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govhall.catalog import excel
from govhall.catalog.models import CatalogImport, SearchTerm, ServiceItem, TermStat
from govhall.catalog.selectors import search_items

from .test_excel import row, workbook

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
QUEUED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_upload_is_queued_and_the_page_polls_its_progress(world, settings):
    settings.TASKS = QUEUED
    c = Client()
    c.force_login(world["admin"])
    r = c.post(
        "/staff/catalog/import/", {"file": SimpleUploadedFile("a.xlsx", workbook([row("Q-1", "结婚登记")]))}
    )
    run = CatalogImport.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/staff/catalog/import/{run.pk}/"
    assert run.status == CatalogImport.Status.QUEUED and not ServiceItem.objects.exists()
    html = c.get(r["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    # The worker runs it: the fragment the page polls shows the result and stops polling.
    excel.import_run(run.pk)
    frag = c.get(r["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "新增 1 个事项" in frag and "every 1s" not in frag and "<html" not in frag
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.created) == ("done", 1, 1, 1)
    assert run.rows == [[2, "Q-1", "结婚登记", "新增"]] and run.data == b""


def test_another_district_cannot_see_a_run_and_a_clerk_cannot_start_one(world, other_world, settings):
    settings.TASKS = QUEUED
    good = workbook([row("Q-2", "离婚登记")])
    run = excel.import_start(by=world["admin"], district=world["district"], data=good, file_name="a.xlsx")
    c = Client()
    c.force_login(other_world["admin"])
    assert c.get(f"/staff/catalog/import/{run.pk}/").status_code == 404
    c.force_login(world["clerk_hub"])
    r = c.post("/staff/catalog/import/", {"file": SimpleUploadedFile("a.xlsx", good)})
    assert r.status_code == 403 and CatalogImport.objects.count() == 1


def test_not_a_workbook_is_refused_at_the_field_and_never_queued(world, settings):
    settings.TASKS = QUEUED
    c = Client()
    c.force_login(world["admin"])
    r = c.post("/staff/catalog/import/", {"file": SimpleUploadedFile("a.xlsx", b"hello")})
    assert r.status_code == 400 and "Excel（.xlsx）" in r.content.decode()
    assert not CatalogImport.objects.exists()


def test_a_file_that_opens_but_is_no_workbook_is_rejected_on_the_result_page(world, settings):
    import io
    import zipfile

    settings.TASKS = IMMEDIATE
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    run = excel.import_start(by=world["admin"], district=world["district"], data=out.getvalue())
    run.refresh_from_db()
    assert run.status == CatalogImport.Status.REJECTED and "Excel" in run.message


def test_bulk_import_records_history_themes_search_terms_and_term_counts(world, marriage):
    from govhall.catalog import services

    theme = services.theme_ensure(code="hy", name="婚姻登记")
    data = workbook(
        [row("T-MZ-001", "结婚登记（内地居民）", themes="婚姻登记")]
        + [row(f"B-{i:03d}", f"离婚登记第{i}类") for i in range(30)]
    )
    counts = excel.import_catalog(by=world["admin"], district=world["district"], data=data)
    assert (counts["created"], counts["updated"]) == (30, 1)
    marriage.refresh_from_db()
    assert marriage.name == "结婚登记（内地居民）" and list(marriage.themes.all()) == [theme]
    assert marriage.name_pinyin.startswith("jie hun")
    latest = marriage.history.first()
    assert latest.history_user == world["admin"] and latest.history_change_reason == "导入事项库"
    new = ServiceItem.objects.get(code="B-007")
    assert new.history.count() == 1 and new.history.first().history_type == "+"
    # Searchable at once, and the term counts match the rows (the planner reads them).
    assert [i.code for i in search_items("lhdj")[1]][:1] and "B-007" in [
        i.code for i in search_items("离婚登记第7类")[1]
    ]
    for term in ("离婚", "#lh", "内地"):
        assert TermStat.objects.get(term=term).items == SearchTerm.objects.filter(term=term).count()
    # A second import of the same file moves no count.
    excel.import_catalog(by=world["admin"], district=world["district"], data=data)
    assert TermStat.objects.get(term="离婚").items == SearchTerm.objects.filter(term="离婚").count() == 30


def test_import_writes_in_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    small = workbook([row(f"N-{i:04d}", f"事项{i}") for i in range(20)])
    big = workbook([row(f"M-{i:04d}", f"事项{i}") for i in range(400)])
    with django_assert_max_num_queries(80):
        excel.import_catalog(by=world["admin"], district=world["district"], data=small)
    with django_assert_max_num_queries(80):
        excel.import_catalog(by=world["admin"], district=world["district"], data=big)
