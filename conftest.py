import pytest


@pytest.fixture(autouse=True)
def _fast_hashing(settings, request):
    """Argon2 is the real hasher (see test_password_policy); tests elsewhere use a fast one."""
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from govhall.core.testing import make_district

    return make_district()


@pytest.fixture
def other_world(db):
    from govhall.core.testing import make_district

    return make_district(name="邻区", code="999002", prefix="O")
