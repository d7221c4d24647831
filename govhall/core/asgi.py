"""The ASGI application: Django's handler, tuned for a server process that
takes hundreds of requests a second on two cores (`bench/tickets.py`)."""

import asyncio
import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import cast

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

from govhall.core.db import release_connections

# How many requests of one server process run their (synchronous) middleware
# and view at once; the others wait their turn on the event loop. Python runs
# one thread at a time anyway: dozens of request threads contending for it, for
# SQLite's writer lock and for database connections only made every request
# slower. A streamed response (the board's event stream) gives its place back
# as soon as the view has returned it.
SYNC_SLOTS = int(os.environ.get("GOVHALL_SYNC_SLOTS", "4"))
# Request threads kept for reuse when idle.
IDLE_THREADS = 64


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler with three changes, each measured under load:

    - A request makes one hop into a thread, where the request_started signal,
      the middleware (one synchronous chain, as under WSGI) and the view run, and
      a response already in memory is closed (request_finished: the database
      connection goes back). Django's own handler hops for each of those, and
      its async chain makes every stock middleware (MiddlewareMixin) hop again
      for its request half and its response half. Async views (the board's
      event stream) still work: the chain calls them through async_to_sync. A
      streamed response is sent as Django sends it, watching for the client
      going away so the stream stops.
    - At most SYNC_SLOTS requests run that chain at once (see above).
    - Each request's thread comes from a pool instead of being started and
      joined for that request alone; starting one blocked the event loop."""

    def __init__(self):
        super().__init__()
        self._idle_executors: list[ThreadPoolExecutor] = []

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._slots = None
        self._respond_in_thread = sync_to_async(self._respond, thread_sensitive=True)

    def _respond(self, scope, request):
        signals.request_started.send(sender=self.__class__, scope=scope)
        response = self.get_response(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()  # its content is in memory; request_finished fires here
        else:
            release_connections()  # a stream (a board: hours) must not keep the request's connection
        return response

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            error = cast(HttpResponseBase, error_response)  # Django gives one or the other
            body_file.close()
            await self.send_response(error, send)
            await sync_to_async(error.close)()
            return
        if self._slots is None:  # made on the server's event loop, at the first request
            self._slots = asyncio.Semaphore(SYNC_SLOTS)
        try:
            async with self._slots:
                response = await self._respond_in_thread(scope, request)
            if response.streaming:
                await self._stream(response, receive, send)
            else:
                await self.send_response(response, send)
        finally:
            body_file.close()

    async def _stream(self, response, receive, send):
        """Send a streamed response until it ends or the client goes away (as Django does)."""
        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(self.send_response(response, send)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                await task
        await sync_to_async(response.close)()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        idle = self._idle_executors
        executor = idle.pop() if idle else ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            if len(idle) < IDLE_THREADS:
                idle.append(executor)
            else:
                executor.shutdown(wait=False)
