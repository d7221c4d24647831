import pytest
from django.test import Client

from tests.support import BUSINESS_ID, PERSON_ID, PHONE  # noqa: F401 - the tests import them from here


def client_for(user) -> Client:
    """A test client logged in as `user`."""
    c = Client()
    c.force_login(user)
    return c


# The 结婚登记 item (`marriage`) and its `materials` are fixtures of the root conftest.py: queueing's tests use them too.


@pytest.fixture
def intake(world, marriage, materials):
    """A function: a window case at branch a with the first `n` materials handed in
    (by clerk_a unless `by`, `center` … say otherwise)."""
    from govhall.cases import services

    def make(n=2, **kw):
        data = {
            "by": world["clerk_a"],
            "center": world["a"],
            "item": marriage,
            "paper_material_ids": [m.id for m in materials[:n]],
            "applicant_name": "张三",
            "applicant_id_number": PERSON_ID,
            "contact_phone": PHONE,
        }
        data.update(kw)
        return services.case_intake_window(**data)

    return make


@pytest.fixture
def authorise(world):
    """A function: issue a 首席代表授权书 (by the district office unless `by`) — by default
    to chief_a at branch a for all of 民政局's items, valid from yesterday for a year."""
    from datetime import timedelta

    from django.utils import timezone

    from govhall.cases import services

    counter = iter(range(1, 100))

    def make(**kw):
        today = timezone.localdate()
        data = {
            "by": world["admin"],
            "department": world["dep_a"],
            "center": world["a"],
            "representative": world["chief_a"],
            "document_number": f"测民授〔2026〕{next(counter)}号",
            "title": "关于授权首席代表办理婚姻登记事项的决定",
            "valid_from": today - timedelta(days=1),
            "valid_to": today + timedelta(days=365),
            "all_items": True,
        }
        data.update(kw)
        return services.chief_authorization_issue(**data)

    return make


@pytest.fixture
def chief(world, authorise):
    """chief_a, holding a current authorisation for all of 民政局's items at branch a."""
    authorise()
    return world["chief_a"]
