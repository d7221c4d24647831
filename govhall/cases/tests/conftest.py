import pytest

from tests.support import BUSINESS_ID, PERSON_ID, PHONE  # noqa: F401 - the tests import them from here

# The 结婚登记 item (`marriage`) and its `materials` are fixtures of the root conftest.py: queueing's tests use them too.


@pytest.fixture
def intake(world, marriage, materials):
    """A function: a window case at branch a with the first `n` materials handed in."""
    from govhall.cases import services

    def make(n=2, **kw):
        data = {"applicant_name": "张三", "applicant_id_number": PERSON_ID, "contact_phone": PHONE}
        data.update(kw)
        return services.case_intake_window(
            by=world["clerk_a"],
            center=world["a"],
            item=marriage,
            paper_material_ids=[m.id for m in materials[:n]],
            **data,
        )

    return make
