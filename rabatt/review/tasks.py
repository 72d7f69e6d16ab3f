"""Background work of the review desk."""

from __future__ import annotations

from django.tasks import task

from rabatt.review.services import bulk_run


@task()
def run_bulk_job(job_id: str) -> str:
    """Apply a bulk decision; a retry continues where the last run stopped."""
    return str(bulk_run(job_id=job_id).status)
