"""Turn every refusal into a JSON answer with a stable code; never a 500 for client input."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rabatt.core.errors import DomainError


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload")]
        out.append({"field": ".".join(loc), "message": err.get("msg", "invalid"),
                    "type": err.get("type", "invalid")})
    return out


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        body = {"code": "invalid_input", "message": "The request has invalid fields.",
                "detail": _field_errors(list(exc.errors))}
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, {"code": "unauthorized", "message": "A valid API key is required."},
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # django-ninja's only 400 is a body it cannot parse (or not an object): answer as
            # for any invalid input, with the 422 every operation that takes a body documents.
            return api.create_response(request, {
                "code": "invalid_input", "message": "The request body is not a JSON object.",
                "detail": [{"field": "body", "message": "not a JSON object", "type": "json"}],
            }, status=422)
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
                429: "rate_limited"}.get(exc.status_code, "error")
        return api.create_response(request, {"code": code, "message": str(exc)},
                                   status=exc.status_code)

    schema_of = api.get_openapi_schema

    def documented(*args: Any, **kwargs: Any) -> Any:
        """Document the answers every operation can give: 422 for a body, 401 for a key."""
        schema = schema_of(*args, **kwargs)
        error = {"description": "Error", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    responses.setdefault(422, error)
                if operation.get("security"):
                    responses.setdefault(401, error)
        return schema

    api.get_openapi_schema = documented  # type: ignore[method-assign]
