"""The security tests drive the same bot as the end-to-end tests: reuse their fixtures."""

from tests.e2e.conftest import env, sandbox  # noqa: F401
from tests.unit.test_cli import workdir  # noqa: F401
