from decimal import Decimal

import pytest

from rabatt.core.config import ConfigError, env_bool, mailers_from_url
from rabatt.core.money import Money, MoneyError, round_money


def test_email_urls():
    assert mailers_from_url("console://")["default"]["BACKEND"].endswith("console.EmailBackend")
    smtp = mailers_from_url("smtp://localhost:2525")["default"]
    assert smtp["OPTIONS"]["host"] == "localhost"
    assert smtp["OPTIONS"]["port"] == 2525
    assert smtp["OPTIONS"]["use_tls"] is False
    tls = mailers_from_url("smtp+tls://user%40x:p%3Ass@mail.example:587")["default"]["OPTIONS"]
    assert (tls["username"], tls["password"], tls["use_tls"]) == ("user@x", "p:ss", True)
    files = mailers_from_url("filemail:///tmp/mails")["default"]
    assert files["OPTIONS"] == {"directory": "/tmp/mails"}


@pytest.mark.parametrize("url", ["ftp://x", "filemail://relative", "smtp://"])
def test_bad_email_urls(url):
    with pytest.raises(ConfigError):
        mailers_from_url(url)


def test_env_bool(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", default=False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError):
        env_bool("X_FLAG", default=False)


def test_money_rounds_half_up():
    assert round_money(Decimal("0.045"), "NOK") == Decimal("0.05")
    assert round_money(Decimal("0.5"), "JPY") == Decimal("1")
    assert str(Money.of("748.5", "NOK")) == "748.50 NOK"
    with pytest.raises(MoneyError):
        round_money(Decimal(1), "XYZ")
