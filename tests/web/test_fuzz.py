"""Fuzz the API from its own /openapi.json with schemathesis (bounded): no 5xx, no answer off its schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = 25  # per operation and backend: ~20 operations, well under a minute in all


def test_no_operation_answers_5xx_or_off_schema(api):
    # Fuzz as an admin (widest reach), after one real report so that ids point at something.
    api.report("有人拿刀在菜市场门口追着砍人", caller_number="13800138000")
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    headers = {"Authorization": f"Bearer {api.tokens['admin']}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:
        if operation.method.upper() == "DELETE":
            continue  # logging out would end the fuzzer's own session

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            except Exception as exc:  # collect every failing operation, not only the first
                failures.append(f"{case.method} {case.path}: {str(exc)[:300]}")

        run()
    assert not failures, "\n".join(dict.fromkeys(failures))
