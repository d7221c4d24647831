import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from govhall.core.asgi import SyncChainASGIHandler  # noqa: E402

application = SyncChainASGIHandler()

# Everything loaded so far (Django, the apps, their modules) lives as long as the process:
# move it out of the garbage collector's reach, so a full collection during a request walks
# only what the request made. A page building a thousand halls' figures paused 100–250 ms
# for a full collection without this (bench/cockpit_province.py measures with it too).
gc.freeze()
