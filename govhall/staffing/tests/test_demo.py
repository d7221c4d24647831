from govhall.centers.demo import load_demo
from govhall.queueing.demo import load_demo_queueing
from govhall.staffing.demo import load_demo_staffing
from govhall.staffing.models import Post


def test_demo_posts_every_window_of_the_marriage_hall_and_loads_twice_without_change(db):
    load_demo()
    load_demo_queueing()
    first = load_demo_staffing()
    assert first["posts"] == 6 and first["users"] == 2
    assert load_demo_staffing() == {"users": 0, "courses": 0, "records": 0, "posts": 0, "rules": 0}
    posts = {
        (p.window.number, p.role): p.user.username for p in Post.objects.select_related("window", "user")
    }
    assert posts[(1, "A")] == "clerk_mz" and posts[(1, "B")] == "clerk_mz_b"
    assert "clerk_mz_c" not in posts.values()
