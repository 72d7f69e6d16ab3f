"""Run schemathesis over /api/v1/openapi.json: every operation, authenticated where needed.

Fails on any 5xx, an undocumented status code or content type, or an answer that does not
match its schema. Kept small for CI (a few examples per operation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

# Django's application, not rabatt.wsgi's: that one also freezes the garbage collector's view
# of the process, which is for servers, not for a test run.
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Keep the test's database connection open across WSGI calls, as Django's Client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(db: Any) -> dict[str, str]:
    """Make a live campaign with codes, a shop key and a staff token; return the headers."""
    from rabatt.accounts.services import token_create
    from rabatt.campaigns.tests.factories import campaign_factory
    from rabatt.codes.tests.factories import direct_code, shop_key
    from rabatt.review.tests.factories import staff_user

    campaign = campaign_factory()
    direct_code(campaign)
    return {"shop": shop_key(campaign)[1],
            "staff": token_create(user=staff_user("administrator"))[1]}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_contract(case: Any, credentials: dict[str, str]) -> None:
    if case.operation.definition.raw.get("security"):
        token = credentials["staff" if case.path.startswith("/api/v1/staff") else "shop"]
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    case.call_and_validate(checks=CHECKS)
