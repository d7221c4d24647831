"""办理窗口 is one fact typed once: the guide page, its PDF and the guide API derive
where to go from the halls' window register (queues covering the item, windows
serving those queues), never from a hand-typed text that could contradict it."""

import base64
import re
import zlib
from pathlib import Path

import pytest
from django.test import Client

from govhall.catalog import services
from govhall.catalog.extensions import NO_WINDOW, item_places
from govhall.core.errors import DomainError
from govhall.queueing import services as queueing

from .conftest import complete_guide, make_item, put_on_negative_list

pytestmark = pytest.mark.django_db
API = "/api/v1"


def pdf_text(pdf: bytes) -> str:
    """The text of a ReportLab PDF drawn in the CID font (UCS-2 strings in ASCII85 + Flate streams)."""
    text = []
    for raw in re.findall(
        rb"/ASCII85Decode /FlateDecode \] /Length \d+\n>>\nstream\n(.*?)~>endstream", pdf, re.S
    ):
        data = zlib.decompress(base64.a85decode(raw))
        i = 0
        while (i := data.find(b"(", i)) >= 0:
            out, i = bytearray(), i + 1
            while data[i : i + 1] != b")":
                c = data[i : i + 1]
                if c == b"\\":
                    i += 1
                    octal = re.match(rb"[0-7]{1,3}", data[i : i + 3])
                    if octal:
                        out.append(int(octal.group(), 8))
                        i += len(octal.group())
                        continue
                    c = {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(data[i : i + 1], data[i : i + 1])
                out += c
                i += 1
            i += 1
            text.append(out.decode("utf-16-be", errors="ignore"))
    return "".join(text)


@pytest.fixture
def published(world):
    """结婚登记 at branch a with a published guide (no window in its text)."""
    item = make_item(world, "结婚登记", "T-MZ-001")
    put_on_negative_list(world, item)
    services.item_station(by=None, item=item, center=world["a"])
    complete_guide(item)
    item.refresh_from_db()
    return item


@pytest.fixture
def register(world, published):
    """The hall's register: queues A 结婚登记 (covers the item), B 离婚登记, C 综合;
    windows 1 结婚 (A), 2 离婚 (B), 3 综合 (A, B, C)."""
    hall = world["a"]
    qa = queueing.queue_create(by=None, center=hall, letter="A", name="结婚登记", order=1)
    qb = queueing.queue_create(by=None, center=hall, letter="B", name="离婚登记", order=2)
    qc = queueing.queue_create(by=None, center=hall, letter="C", name="婚姻证明与补证", order=3)
    queueing.queue_set_items(by=None, queue=qa, items=[published])
    return {
        "qa": qa,
        "qb": qb,
        "qc": qc,
        "w1": queueing.window_create(by=None, center=hall, number=1, name="结婚登记窗口", queues=[qa]),
        "w2": queueing.window_create(by=None, center=hall, number=2, name="离婚登记窗口", queues=[qb]),
        "w3": queueing.window_create(by=None, center=hall, number=3, name="综合窗口", queues=[qa, qb, qc]),
    }


def _page(code="T-MZ-001") -> str:
    r = Client().get(f"/items/{code}/")
    assert r.status_code == 200
    return r.content.decode()


def _api(code="T-MZ-001") -> dict:
    r = Client().get(f"{API}/items/{code}/guide")
    assert r.status_code == 200
    return r.json()


def _pdf(code="T-MZ-001") -> str:
    r = Client().get(f"/items/{code}/guide.pdf")
    assert r.status_code == 200
    return pdf_text(r.content)


def test_guide_page_pdf_and_api_name_the_windows_of_the_register(world, register):
    hall = world["a"].name
    page, api, pdf = _page(), _api(), _pdf()
    for shown in (page, api["windows"], pdf):
        assert "1号窗口（结婚登记窗口）" in shown and "3号窗口（综合窗口）" in shown
        assert "2号窗口" not in shown  # the divorce window does not register marriages
        assert hall in shown
    assert (
        api["windows"] == f"{hall}：取A字头号（结婚登记），到1号窗口（结婚登记窗口）、3号窗口（综合窗口）办理"
    )
    [place] = api["places"]
    assert place["center"]["code"] == "T-A"
    assert [(q["letter"], [w["number"] for w in q["windows"]]) for q in place["queues"]] == [("A", [1, 3])]


def test_changing_the_register_changes_the_guide_without_a_new_version(world, register, published):
    queueing.window_set_queues(by=None, window=register["w3"], queues=[register["qb"]])
    assert "3号窗口" not in _page() and "3号窗口" not in _api()["windows"] and "3号窗口" not in _pdf()
    queueing.queue_set_items(by=None, queue=register["qb"], items=[published])
    places = _api()["places"]
    assert [(q["letter"], [w["number"] for w in q["windows"]]) for q in places[0]["queues"]] == [
        ("A", [1]),
        ("B", [2, 3]),
    ]
    assert "2号窗口（离婚登记窗口）" in _page()
    assert published.guides.count() == 1  # the published guide itself did not change


def test_no_window_serving_the_item_says_ask_the_desk(world, published):
    hall = world["a"]
    expected = f"{hall.name}：{NO_WINDOW}"
    assert _api()["windows"] == expected and _api()["places"][0]["queues"] == []
    assert NO_WINDOW in _page() and expected in _pdf()
    # A queue covering the item that no window calls does not send anyone there.
    q = queueing.queue_create(by=None, center=hall, letter="A", name="结婚登记")
    queueing.queue_set_items(by=None, queue=q, items=[published])
    assert _api()["windows"] == expected


def test_a_window_listing_its_own_items_serves_only_those(world, register, published):
    other = make_item(world, "补领婚姻登记证", "T-MZ-003")
    register["w3"].items.set([other])
    [place] = item_places(published)
    assert [w.number for w in place.queues[0].windows] == [1]


def test_another_hall_serving_the_item_is_listed_after_its_own(world, register, published):
    hub = world["hub"]
    q = queueing.queue_create(by=None, center=hub, letter="A", name="综合受理")
    queueing.queue_set_items(by=None, queue=q, items=[published])
    queueing.window_create(by=None, center=hub, number=6, name="综合服务窗口", queues=[q])
    places = _api()["places"]
    assert [p["center"]["code"] for p in places] == ["T-A", hub.code]
    assert "6号窗口（综合服务窗口）" in _page()


def test_the_guide_editor_no_longer_takes_a_windows_text(world, register, published):
    c = Client()
    c.force_login(world["admin"])
    page = c.get(f"/staff/catalog/items/{published.pk}/guide/").content.decode()
    assert 'name="windows"' not in page
    assert "1号窗口（结婚登记窗口）" in page  # shown, derived, not typed
    preview = c.get(f"/staff/catalog/items/{published.pk}/versions/1/").content.decode()
    assert "3号窗口（综合窗口）" in preview
    with pytest.raises(DomainError):
        services.guide_draft(by=world["admin"], item=published, windows="结婚登记 1-2 号窗口")


def test_guide_materials_carry_their_ids(published):
    materials = _api()["materials"]
    assert [m["id"] for m in materials] == list(
        published.current_guide.materials.order_by("order", "id").values_list("id", flat=True)
    )


def test_catalog_does_not_import_queueing():
    """catalog sits below queueing: it asks through `item_windows`, never by import."""
    root = Path(__file__).resolve().parents[1]
    for path in root.glob("*.py"):
        assert "govhall.queueing" not in path.read_text(encoding="utf-8"), path.name
