import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from govhall.core.asgi import SyncChainASGIHandler  # noqa: E402

application = SyncChainASGIHandler()
