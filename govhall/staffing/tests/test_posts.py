import pytest

from govhall.core.errors import DomainError, NotFound, Refused
from govhall.staffing import services
from govhall.staffing.models import Post
from govhall.staffing.selectors import post_load


def test_window_has_one_a_and_one_b(staff):
    posts = dict(Post.objects.filter(window=staff["w1"]).values_list("role", "user_id"))
    assert posts == {"A": staff["clerk_a"].id, "B": staff["a2"].id}


def test_a_and_b_must_be_two_different_people(staff):
    with pytest.raises(DomainError) as exc:
        services.post_assign(by=staff["manager_a"], window=staff["w1"], role="B", user=staff["clerk_a"])
    assert exc.value.field == "user"
    assert Post.objects.get(window=staff["w1"], role="B").user == staff["a2"]


def test_post_holder_must_be_staff_of_that_hall(staff):
    with pytest.raises(DomainError) as exc:
        services.post_assign(by=staff["manager_a"], window=staff["w1"], role="B", user=staff["clerk_b"])
    assert "不是" in exc.value.message and exc.value.field == "user"


def test_untrained_clerk_cannot_take_a_post(staff):
    with pytest.raises(DomainError) as exc:
        services.post_assign(by=staff["manager_a"], window=staff["w1"], role="B", user=staff["a4"])
    assert "培训" in exc.value.message
    assert Post.objects.get(window=staff["w1"], role="B").user == staff["a2"]


def test_expired_training_does_not_qualify(staff):
    from datetime import date

    staff["course"].records.filter(user=staff["a3"]).update(refresher_due=date(2026, 9, 1))
    with pytest.raises(DomainError):
        services.post_assign(by=staff["manager_a"], window=staff["w1"], role="B", user=staff["a3"])


def test_one_person_is_principal_at_one_window_only(staff):
    with pytest.raises(DomainError) as exc:
        services.post_assign(by=staff["manager_a"], window=staff["w2"], role="A", user=staff["clerk_a"])
    assert "A 岗" in exc.value.message


def test_person_may_be_a_at_one_window_and_b_at_another_and_load_shows_it(staff):
    load = {row["user"].id: row for row in post_load(staff["center"])}
    assert [w.number for w in load[staff["a2"].id]["A"]] == [2]
    assert [w.number for w in load[staff["a2"].id]["B"]] == [1]


def test_clerk_cannot_assign_posts(staff):
    with pytest.raises(Refused):
        services.post_assign(by=staff["clerk_a"], window=staff["w1"], role="B", user=staff["a3"])


def test_manager_of_other_branch_cannot_assign_posts(staff):
    with pytest.raises(NotFound):
        services.post_assign(by=staff["manager_b"], window=staff["w1"], role="B", user=staff["a3"])


def test_replacing_b_keeps_one_b(staff):
    services.post_assign(by=staff["manager_a"], window=staff["w1"], role="B", user=staff["a3"])
    assert list(Post.objects.filter(window=staff["w1"], role="B").values_list("user_id", flat=True)) == [
        staff["a3"].id
    ]
    assert Post.history.filter(window_id=staff["w1"].id, role="B").count() >= 2
