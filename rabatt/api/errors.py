"""Turn every refusal into a JSON answer with a stable code; never a 500 for client input."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rabatt.core.errors import DomainError

# Pydantic's error types, in the words of the client's Accept-Language (messages change,
# the "type" beside them does not).
_PARSING = {"bool_parsing", "bool_type", "int_parsing", "int_type", "float_parsing",
            "float_type", "decimal_parsing", "decimal_type", "dict_type",
            "list_type", "model_type", "model_attributes_type", "uuid_parsing"}


def _field_message(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_short", "too_short"}:
        return _("This value is too short (minimum %(min)s).") % {
            "min": ctx.get("min_length", "?")}
    if kind in {"string_too_long", "too_long"}:
        return _("This value is too long (maximum %(max)s).") % {
            "max": ctx.get("max_length", "?")}
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind.startswith(("date", "datetime", "time")):
        return _("Enter a valid date and time, e.g. 2026-08-01T12:00:00Z.")
    if kind.startswith(("greater_than", "less_than")) or kind in _PARSING:
        return _("Enter a valid number or value of the right type.")
    return _("Enter a valid value.")


def field_errors(errors: Iterable[Any]) -> list[dict[str, Any]]:
    """Return pydantic errors as {field, message in the active language, type}."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload")]
        out.append({"field": ".".join(loc), "message": _field_message(err),
                    "type": err.get("type", "invalid")})
    return out


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        body = {"code": "invalid_input", "message": _("The request has invalid fields."),
                "detail": field_errors(list(exc.errors))}
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, {"code": "unauthorized", "message": _("A valid API key is required.")},
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
        # Django Ninja's own texts are English; say the same in the client's language.
        message = {400: _("The request could not be read."), 404: _("Not found."),
                   405: _("This method is not allowed here.")}.get(exc.status_code, str(exc))
        return api.create_response(request, {"code": code, "message": str(message)},
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
