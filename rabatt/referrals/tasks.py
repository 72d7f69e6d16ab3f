from django.tasks import task

from rabatt.referrals.services import friend_code_email_send, progress_link_email_send


@task()
def send_friend_code_email(friend_id: int) -> str:
    """E-mail a referred friend their code; safe to run again (it checks what was sent)."""
    return friend_code_email_send(friend_id=friend_id)


@task()
def send_progress_link_email(referral_id: int, locale: str) -> str:
    """E-mail a referrer the signed link to their friends' progress."""
    return progress_link_email_send(referral_id=referral_id, locale=locale)
