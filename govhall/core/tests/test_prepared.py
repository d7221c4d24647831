"""The hot-path helpers: prepared reads (core.db.Prepared), prepared writes with
history (core.history), and short per-process memories (core.cache)."""

from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govhall.cases import services as cases
from govhall.cases.models import Case, CaseEvent, Notice
from govhall.centers.models import Center
from govhall.core.cache import ProcessCache
from govhall.core.db import Prepared
from govhall.core.errors import DomainError
from govhall.core.history import insert_recorded, insert_row, update_recorded
from tests.support import PERSON_ID, PHONE

pytestmark = pytest.mark.django_db

by_number = Prepared(
    lambda n: Case.objects.select_related("center", "item", "guide", "center__district").filter(number=n), str
)
notices_of = Prepared(lambda pk: Notice.objects.filter(case_id=pk), int)
statuses_at = Prepared(
    lambda center_id, status: (
        Case.objects.filter(center_id=center_id, status=status)
        .order_by("id")
        .values_list("number", "accepted_at")
    ),
    int,
    str,
)


def _intake(world, marriage, name="张三"):
    return cases.case_intake_window(
        by=world["clerk_a"],
        center=world["a"],
        item=marriage,
        applicant_name=name,
        applicant_id_number=PERSON_ID,
        contact_phone=PHONE,
        paper_material_ids=[
            m.id for m in marriage.current_guide.materials.all()
        ],  # complete: may be accepted
    )


def test_a_prepared_query_gives_what_the_queryset_gives_with_its_related_rows_and_converted_values(
    world, marriage
):
    case = cases.case_accept(by=world["clerk_a"], case=_intake(world, marriage))
    orm = Case.objects.select_related("center", "item", "guide", "center__district").get(number=case.number)
    found = by_number.first(case.number)
    assert found is not None and found.pk == orm.pk
    for f in Case._meta.concrete_fields:
        assert getattr(found, f.attname) == getattr(orm, f.attname), f.name
    assert (
        found.accepted_at.tzinfo is not None and found.deadline == orm.deadline
    )  # datetimes and dates converted
    with CaptureQueriesContext(connection) as q:
        assert (
            found.center.district.name == world["district"].name and found.guide.version == orm.guide.version
        )
    assert len(q.captured_queries) == 0  # the related rows came with it
    notice = notices_of.objects(case.pk)[0]
    assert (
        notice.body == Notice.objects.get(pk=notice.pk).body and notice.body["case_number"] == case.number
    )  # JSON
    assert statuses_at.rows(world["a"].pk, "accepted") == [(case.number, orm.accepted_at)]
    assert statuses_at.rows(world["a"].pk, "submitted") == []
    assert by_number.first("HC-NONE") is None


def test_a_prepared_query_is_compiled_once_per_connection_and_runs_again_with_new_values(world, marriage):
    one, two = _intake(world, marriage, "甲"), _intake(world, marriage, "乙")
    assert by_number.first(one.number).applicant_name == "甲"
    plan = connections["default"].__dict__["_govhall_prepared"][by_number]
    assert by_number.first(two.number).applicant_name == "乙"
    assert connections["default"].__dict__["_govhall_prepared"][by_number] is plan
    with pytest.raises(TypeError):
        by_number.first()


def test_a_placeholder_that_does_not_reach_the_sql_once_is_refused(world):
    twice = Prepared(lambda n: Case.objects.filter(number=n) | Case.objects.filter(ticket_number=n), str)
    with pytest.raises(ValueError):
        twice.objects("x")
    with pytest.raises(TypeError):
        Prepared(lambda d: Case.objects.filter(deadline=d), object).objects(None)
    with pytest.raises(TypeError):
        statuses_at.objects(world["a"].pk, "accepted")  # a values query gives rows, not objects


def test_update_recorded_writes_the_row_and_its_history_and_checks_each_field(world, marriage):
    case = _intake(world, marriage)
    before = case.history.count()
    case.tracking_number = "SF1234567890"
    with transaction.atomic():
        update_recorded(case, by=world["clerk_a"], reason="测试")
    assert Case.objects.get(pk=case.pk).tracking_number == "SF1234567890"
    last = case.history.order_by("-history_id").first()
    assert case.history.count() == before + 1
    assert (last.history_type, last.history_user, last.history_change_reason) == (
        "~",
        world["clerk_a"],
        "测试",
    )
    assert last.tracking_number == "SF1234567890"

    case.tracking_number = "X" * 41  # longer than the field allows
    with pytest.raises(DomainError) as err:
        update_recorded(case, by=world["clerk_a"], reason="太长")
    assert "tracking_number" in err.value.errors
    assert (
        Case.objects.get(pk=case.pk).tracking_number == "SF1234567890" and case.history.count() == before + 1
    )

    case.tracking_number = ""
    gone = Case(
        pk=case.pk + 1000,
        **{
            f.attname: getattr(case, f.attname)
            for f in Case._meta.concrete_fields
            if not f.primary_key and f.attname != "number"
        },
    )
    with pytest.raises(Case.DoesNotExist):
        update_recorded(gone, by=None, validate=False)


def test_insert_row_is_for_rows_without_history_and_insert_recorded_for_rows_with_it(world, marriage):
    case = _intake(world, marriage)
    event = insert_row(CaseEvent(case=case, action="note", label="备注", by=world["clerk_a"]))
    stored = CaseEvent.objects.get(pk=event.pk)
    assert (stored.label, stored.by_id) == ("备注", world["clerk_a"].pk) and stored.at is not None
    with pytest.raises(TypeError):
        insert_recorded(CaseEvent(case=case, action="x", label="x"), by=None)
    copy = Case(
        **{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}
    )
    copy.number = case.number + "-2"
    insert_recorded(copy, by=world["clerk_a"], reason="复制")
    assert copy.history.get().history_type == "+"


def test_a_process_cache_remembers_briefly_and_forgets_when_its_model_is_saved(world):
    reads = []
    cache = ProcessCache("test-centers", depends_on=("centers.Center",), seconds=60)

    def load():
        reads.append(1)
        return Center.objects.get(pk=world["a"].pk).name

    assert cache.get("a", load) == world["a"].name
    assert cache.get("a", load) == world["a"].name and len(reads) == 1
    world["a"].name = "改名后的分中心"
    world["a"].save()
    assert cache.get("a", load) == "改名后的分中心" and len(reads) == 2
    assert (
        cache.get("missing", lambda: None) is None and cache.get("missing", lambda: 5) == 5
    )  # None not kept
    short = ProcessCache("test-short", depends_on=(), seconds=0)
    assert short.get("k", lambda: 1) == 1 and short.get("k", lambda: 2) == 2  # expired at once


def test_a_window_intake_reads_a_newly_published_guide_and_a_new_calendar_override_at_once(world, marriage):
    from govhall.cases.selectors import item_for_intake
    from govhall.catalog import services as catalog
    from govhall.core.models import CalendarOverride

    first = _intake(world, marriage)
    assert item_for_intake(world["a"], marriage.code).current_guide_id == first.guide_id
    draft = catalog.guide_draft(by=None, item=marriage)
    catalog.guide_publish(by=None, guide=draft)
    assert item_for_intake(world["a"], marriage.code).current_guide_id == draft.pk

    case = cases.case_accept(by=world["clerk_a"], case=first)
    start = timezone.localtime(case.accepted_at).date()
    CalendarOverride.objects.create(
        district=world["district"], date=case.deadline, is_workday=False, note="临时闭馆"
    )
    second = cases.case_accept(by=world["clerk_a"], case=_intake(world, marriage, "李四"))
    assert second.deadline > case.deadline >= start + timedelta(days=1)


def test_insert_recorded_many_gives_each_row_its_own_id_and_history(world, marriage):
    from govhall.cases.models import CaseMaterial
    from govhall.core.history import insert_recorded_many

    case = _intake(world, marriage)
    rows = insert_recorded_many(
        [CaseMaterial(case=case, name=f"材料{i}", paper=True) for i in range(3)],
        by=world["clerk_a"],
        reason="批量",
    )
    assert [CaseMaterial.objects.get(pk=r.pk).name for r in rows] == ["材料0", "材料1", "材料2"]
    history = CaseMaterial.history.filter(id__in=[r.pk for r in rows])
    assert sorted((h.id, h.name, h.history_type, h.history_user_id) for h in history) == sorted(
        (r.pk, r.name, "+", world["clerk_a"].pk) for r in rows
    )
    assert insert_recorded_many([], by=None) == []


def test_a_window_intake_is_created_in_its_history_with_its_number(world, marriage):
    case = _intake(world, marriage)
    (created,) = case.history.all()
    assert (created.history_type, created.number, created.status) == ("+", case.number, "submitted")
    assert created.history_user == world["clerk_a"] and created.history_change_reason == "窗口收件"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="server-side prepared statements are PostgreSQL's"
)
def test_on_postgresql_the_hot_statements_are_prepared_on_the_server(world, marriage):
    case = _intake(world, marriage)
    assert by_number.first(case.number).pk == case.pk
    with connection.cursor() as c:
        c.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [r[0] for r in c.fetchall()]
    assert any('FROM "cases_case"' in s and '"cases_case"."number" = $1' in s for s in prepared)
    assert any(s.startswith('INSERT INTO "cases_historicalcase"') for s in prepared)
