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
