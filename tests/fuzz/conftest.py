# The fuzzer gets a server of its own (fresh database, demo loaded): what it
# writes must not disturb the browser tests' demo.
from tests.e2e.conftest import server  # noqa: F401
