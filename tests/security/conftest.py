"""The security tests drive the bot as the end-to-end tests do: the same sandbox and bot."""

from tests.e2e.conftest import env, sandbox  # noqa: F401
