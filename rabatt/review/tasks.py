"""Background work of the review desk."""

from __future__ import annotations

from django.tasks import task

from rabatt.review.services import bulk_run


@task()
def run_bulk_job(job_id: str) -> str:
    """Apply a bulk decision; a retry continues where the last run stopped."""
    return str(bulk_run(job_id=job_id).status)


@task()
def auto_decide_claim(claim_id: int) -> str:
    """Approve a fully verified claim automatically if its campaign allows (state re-checked)."""
    from rabatt.review.automation import claim_auto_decide

    return claim_auto_decide(claim_id=claim_id)
