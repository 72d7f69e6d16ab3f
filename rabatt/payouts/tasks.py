from django.tasks import task

from rabatt.payouts.services import payouts_alert_due


@task()
def alert_due_payouts() -> int:
    """E-mail finance about claims due within 5 days or late (each claim once per due date)."""
    return payouts_alert_due()
