"""Schemathesis hooks (SCHEMATHESIS_HOOKS): a check that every 4xx of the API is application/problem+json whose
status is the response's, as README's API section promises."""
import json

import schemathesis


@schemathesis.check
def problem_json_errors(ctx, response, case):
    if not 400 <= response.status_code < 500:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if not content_type.startswith("application/problem+json"):
        raise AssertionError(f"{response.status_code} answered as {content_type or 'no Content-Type'}, not application/problem+json")
    body = json.loads(response.content)
    if body.get("status") != response.status_code or not body.get("title") or not body.get("detail"):
        raise AssertionError(f"problem body without status {response.status_code}, title and detail: {response.content[:300]!r}")
    return None
