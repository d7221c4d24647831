"""Coordination between the district center and its halls (notice clause 二(三), 二(一)):
joint meetings and their action items, notices with receipts, 帮办代办, and cases
handed between halls. Each part keeps its models in its own block below."""

from django.db import models  # noqa: F401
