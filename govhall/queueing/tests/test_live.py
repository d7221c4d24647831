import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from govhall.queueing import live, services
from govhall.queueing.views import board_stream


@pytest.mark.django_db(transaction=True)
def test_board_stream_sends_the_state_then_each_call(hall, open_w1, settings):
    settings.GOVHALL_PUBSUB_URL = None
    services.ticket_issue(queue=hall["qa"])

    async def run():
        stream = board_stream(hall["center"])
        retry = await stream.__anext__()
        first = await stream.__anext__()
        await sync_to_async(services.ticket_call_next)(window=open_w1, by=hall["clerk_a"])
        pushed = await asyncio.wait_for(stream.__anext__(), timeout=3)
        await stream.aclose()
        await sync_to_async(connections.close_all)()  # the worker thread's own connection
        return retry, first, pushed

    retry, first, pushed = asyncio.run(run())
    assert retry.startswith("retry: ")
    assert first.startswith("id: 0\nevent: board\n")
    assert "event: board" in pushed and "请A001号到1号窗口办理" in pushed and '"window":1' in pushed
    assert live.local_subscriber_count() == 0  # the board's subscription ends with its stream


def test_publish_without_listeners_is_a_no_op(settings):
    settings.GOVHALL_PUBSUB_URL = None
    assert not live.may_have_listeners(123456)
    live.publish(123456, {"x": 1})  # nobody listening: nothing happens, nothing fails
