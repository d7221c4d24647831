"""No staff page's query count grows with its rows.

Every staff page (the /staff/ URL patterns that take no argument or one object of the
test district) is visited by the district office, a branch manager and a clerk with the
test district grown by a few rows of everything pages list (people and their roles —
audit events too —, halls, items with guides, cases, tickets, first inquiries, leave,
training); then the same rows are grown tenfold and every page must run the same number
of queries, within `BOUND`."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govhall.accounts.models import Role
from govhall.cases import services as cases
from govhall.catalog import services as catalog
from govhall.centers import services as centers
from govhall.centers.models import Center
from govhall.core.cache import forget_all
from govhall.core.errors import DomainError
from govhall.queueing import services as queueing
from govhall.queueing.demo import hall_open_all_day
from govhall.staffing import services as staffing
from tests.support import PERSON_ID, PHONE, make_user, publish_guide

pytestmark = pytest.mark.django_db

BOUND = 2  # a page may add a query or two (a pager appearing), never one per row
BASE, TENFOLD = 2, 20


def _pages(world, extra):
    """Every staff page with the object it needs (None: no argument)."""
    a, item = world["a"], extra["item"]
    return [
        "/staff/",
        "/staff/people/",
        f"/staff/people/{world['clerk_a'].pk}/",
        "/staff/audit/",
        "/staff/audit/?model=role",  # under one page of entries: the rows grow on the page
        "/staff/audit/?model=center",
        "/staff/tokens/",
        "/staff/centers/",
        f"/staff/centers/{a.code}/",
        f"/staff/centers/{a.code}/history/",
        "/staff/changes/",
        "/staff/standards/",
        "/staff/calendar/",
        "/staff/district/password-policy/",
        "/staff/staffing/",
        "/staff/staffing/gaps/",
        "/staff/staffing/leave/",
        "/staff/staffing/attendance/",
        "/staff/staffing/rankings/",
        "/staff/staffing/weights/",
        f"/staff/staffing/hall/{a.pk}/posts/",
        f"/staff/staffing/hall/{a.pk}/coverage/",
        f"/staff/staffing/hall/{a.pk}/attendance/",
        f"/staff/staffing/hall/{a.pk}/training/",
        f"/staff/staffing/hall/{a.pk}/assessment/",
        "/staff/catalog/",
        f"/staff/catalog/items/{item.pk}/",
        f"/staff/catalog/items/{item.pk}/guide/",
        f"/staff/catalog/items/{item.pk}/versions/",
        "/staff/catalog/negative-list/",
        "/staff/catalog/synonyms/",
        "/staff/queue/",
        "/staff/queue/stats/",
        f"/staff/queue/rules/{a.code}/",
        "/staff/cases/",
        f"/staff/cases/{extra['case'].number}/",
        "/staff/supervision/",
        "/staff/chief-authorizations/",
        "/staff/escalations/",
        "/staff/inquiries/",
        f"/staff/inquiries/{extra['inquiry'].pk}/",
        "/staff/district/feedback-deadlines/",
        "/staff/complaints/",
        "/staff/unresolved/",
        "/staff/unresolved/by-item/",
        "/staff/rectifications/",
        "/staff/ratings/",
        "/staff/my-ratings/",
        "/staff/pads/",
        "/staff/checks/stationing/",
    ]


def _grow(world, queue, start, stop):
    """Rows of everything the staff pages list, numbered start..stop-1."""
    hub = Center.objects.get(pk=world["hub"].pk)
    a = Center.objects.get(pk=world["a"].pk)
    made = {}
    today = timezone.localdate()
    for i in range(start, stop):
        person = make_user(f"grow{i}", Role.CLERK, a, full_name=f"增员{i}", phone=f"139000{i:05d}")
        centers.center_create(
            by=None,
            district=world["district"],
            kind=Center.Kind.TOWN,
            name=f"测试{i}镇便民服务中心",
            code=f"T-TOWN{i}",
            address=f"镇路 {i} 号",
            parent=hub,
            status=Center.Status.ACTIVE,
        )
        item = catalog.item_create(
            by=None,
            district=world["district"],
            code=f"T-GROW-{i}",
            name=f"增长事项{i}",
            item_type="public_service",
            department=world["dep_b"],
        )
        publish_guide(item)
        item.refresh_from_db()
        made["item"] = item
        made["case"] = cases.case_intake_window(
            by=world["clerk_hub"],
            center=hub,
            item=item,
            applicant_name=f"申请人{i}",
            applicant_id_number=PERSON_ID,
            contact_phone=PHONE,
            paper_material_ids=list(item.current_guide.materials.values_list("id", flat=True)),
        )
        queueing.ticket_issue(queue=queue)
        made["inquiry"] = cases.inquiry_record(
            by=world["clerk_a"], center=a, asker_name=f"咨询人{i}", asker_contact=PHONE, topic=f"咨询{i}"
        )
        _leave(person, a, today + timedelta(days=14 + 3 * i))
        course = staffing.training_course_create(
            by=None, center=a, name=f"培训{i}", held_on=today - timedelta(days=i), queues=[queue]
        )
        staffing.training_record_add(by=None, course=course, user=person)
    return made


def _leave(person, hall, day):
    """A day's leave on the first working day from `day`."""
    for offset in range(10):
        try:
            when = day + timedelta(days=offset)
            return staffing.leave_request(
                by=person, kind="annual", start_date=when, end_date=when, reason="家事", center=hall
            )
        except DomainError:
            continue
    raise AssertionError("no working day for leave")


def _counts(client, users, pages):
    out = {}
    for user in users:
        client.force_login(user)
        for page in pages:
            forget_all()  # the 2-second process caches must not expire between the two counts
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page)
            out[(user.username, page)] = (response.status_code, len(queries))
    return out


def test_no_staff_page_runs_more_queries_with_ten_times_the_rows(client, world):
    a = Center.objects.get(pk=world["a"].pk)
    queue = queueing.queue_create(by=None, center=a, letter="A", name="综合")
    queueing.window_create(by=None, center=a, number=1, name="综合窗口", queues=[queue])
    hall_open_all_day([a.code])
    users = [world["admin"], world["manager_a"], world["clerk_a"]]

    first = _grow(world, queue, 0, BASE)
    pages = _pages(world, first)
    before = _counts(client, users, pages)
    _grow(world, queue, BASE, TENFOLD)
    after = _counts(client, users, pages)

    assert all(status < 500 for status, _ in after.values()), {k: v for k, v in after.items() if v[0] >= 500}
    grown = {
        key: (before[key][1], after[key][1])
        for key in before
        if after[key][1] > before[key][1] + BOUND or after[key][0] != before[key][0]
    }
    assert grown == {}, "pages whose queries grew with their rows (before, after): " + repr(grown)
