"""Probes for load balancers and orchestrators: alive, and ready to serve."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rabatt.core.health import readiness


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer that the process serves requests, touching no database or other service."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database, broker, storage and cache work, else 503 naming which."""
    checks = readiness()
    ready = all(checks.values())
    response = JsonResponse(
        {"status": "ok" if ready else "unavailable",
         "checks": {name: "ok" if up else "down" for name, up in checks.items()}},
        status=200 if ready else 503,
    )
    if not ready:
        response["Retry-After"] = "5"
    return response
