import pytest


@pytest.fixture(autouse=True)
def _fast_hashing(settings, request):
    """Argon2 is the real hasher (see test_password_policy); tests elsewhere use a fast one."""
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """A test's rolled-back rows send no signals: every test starts with empty process caches."""
    from govhall.core.cache import forget_all

    forget_all()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    from tests.support import make_district

    return make_district()


@pytest.fixture
def other_world(db):
    from tests.support import make_district

    return make_district(name="邻区", code="999002", prefix="O")


@pytest.fixture
def marriage(world):
    """结婚登记, stationed at branch a, with a published guide of four materials."""
    from datetime import date

    from govhall.catalog import services as catalog
    from govhall.catalog.models import NegativeListEntry
    from tests.support import publish_guide

    item = catalog.item_create(
        by=None,
        district=world["district"],
        code="T-MZ-001",
        name="结婚登记",
        item_type="confirmation",
        department=world["dep_a"],
    )
    catalog.negative_entry_create(
        by=None,
        item=item,
        center=world["a"],
        reason=NegativeListEntry.Reason.SITE,
        basis="须设颁证厅。",
        approval="测试〔2023〕1号",
        approved_on=date(2023, 6, 1),
    )
    catalog.item_station(by=None, item=item, center=world["a"], reason="负面清单")
    publish_guide(item)
    item.refresh_from_db()
    return item


@pytest.fixture
def materials(marriage):
    return list(marriage.current_guide.materials.order_by("order"))
