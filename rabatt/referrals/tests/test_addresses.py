import pytest

from rabatt.referrals.addresses import email_canonical, email_is_disposable


@pytest.mark.parametrize(("address", "canonical"), [
    ("Kari.Nordmann+shop@GoogleMail.com", "karinordmann@gmail.com"),
    (" k.a.r.i@gmail.com ", "kari@gmail.com"),
    ("kari+tag@outlook.com", "kari@outlook.com"),
    ("kari.nordmann@outlook.com", "kari.nordmann@outlook.com"),  # Outlook keeps dots
    ("kari+tag@example.no", "kari+tag@example.no"),  # unknown providers: only case
    ("KARI@Example.NO", "kari@example.no"),
    ("not-an-address", "not-an-address"),
])
def test_canonical(address, canonical):
    assert email_canonical(address) == canonical


def test_disposable():
    assert email_is_disposable("x@mailinator.com")
    assert email_is_disposable("x@EU.Yopmail.com")
    assert not email_is_disposable("x@gmail.com")
    assert not email_is_disposable("x@notmailinator.com")
