from django.tasks import task

from rabatt.claims.services import claim_lapse_if_overdue, claims_lapse_overdue


@task()
def lapse_claim_if_unanswered(claim_id: int) -> bool:
    """Lapse one claim if its answer window has passed (re-checked when it runs)."""
    return claim_lapse_if_overdue(claim_id=claim_id)


@task()
def lapse_overdue_claims() -> int:
    """Lapse every overdue claim; the safety net behind the per-claim tasks."""
    return claims_lapse_overdue()
