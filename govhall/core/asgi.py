"""The ASGI application: Django's handler, tuned for a server process that
takes hundreds of requests a second on two cores (`bench/tickets.py`)."""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

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

    - The middleware runs as one synchronous chain, as under WSGI, entered
      through a single hop into a thread. Django's own builds an async chain, in
      which every stock middleware (MiddlewareMixin) hops into a thread for its
      request half and again for its response half. Async views (the board's
      event stream) still work: the chain calls them through async_to_sync, and
      the handler streams their body.
    - At most SYNC_SLOTS requests run that chain at once (see above).
    - Each request's thread comes from a pool instead of being started and
      joined for that request alone; starting one blocked the event loop."""

    def __init__(self):
        super().__init__()
        self._idle_executors: list[ThreadPoolExecutor] = []

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        chain = sync_to_async(self._middleware_chain, thread_sensitive=True)
        slots = None

        async def run_chain(request):
            nonlocal slots
            if slots is None:  # made on the server's event loop, at the first request
                slots = asyncio.Semaphore(SYNC_SLOTS)
            async with slots:
                return await chain(request)

        self._middleware_chain = run_chain

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
