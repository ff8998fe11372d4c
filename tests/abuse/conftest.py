"""Fixtures the abuse and fault tests share with the apps' tests."""

from tests.messaging.conftest import flaky_smtp  # noqa: F401 (fixtures)
from tests.stores.conftest import smtp  # noqa: F401 (fixtures)
