"""Every operation of the OpenAPI schema, driven by schemathesis against the app in-process (WSGI) as
a county leader of a small county with appeals in several states: no answer is a server error and
every answer matches the schema the operation documents. Examples per operation are capped so the
whole schema runs in about a minute on one core."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from minqing.api.root import api
from tests.conftest import PHONE_A

EXAMPLES = 10


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()


@pytest.fixture
def kept_connection():
    """As Django's test client does: the request must not close the test's database connection (on
    PostgreSQL that would end the transaction the test runs in)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth(db, county, bearer, kept_connection):
    """A county leader's token, with appeals in three states in the county."""
    from minqing.appeals import services

    actor = county.cadre_a
    for n, kind in enumerate(("problem", "petition", "help")):
        a = services.register_appeal(actor=actor, region=county.village_a.code, kind=kind, channel="meeting",
                                     title=f"路灯坏了{n}", text="村道路灯坏了五盏", phone=PHONE_A,
                                     reporter_name="王五")
        if n == 1:
            services.do_solve_on_spot(a, actor=actor, what="已修好")
    return bearer(county.county_leader)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_every_operation_answers_by_its_schema(case, auth):
    # identity: the in-process client does not unzip what GZipMiddleware compresses
    response = case.call(headers={**auth, "Accept-Encoding": "identity"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
