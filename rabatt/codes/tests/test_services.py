import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rabatt.campaigns.tests.factories import campaign_factory
from rabatt.codes.alphabet import normalise
from rabatt.codes.models import Code, CodeStatus
from rabatt.codes.services import code_lookup, code_mark_used, codes_issue
from rabatt.core.errors import Conflict, DomainError, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return campaign_factory()


def test_issue_stores_exactly_count_unique_codes(campaign):
    codes = list(codes_issue(campaign=campaign, channel="retailer", count=1234))
    assert len(codes) == len(set(codes)) == 1234
    assert Code.objects.filter(campaign=campaign, status=CodeStatus.AVAILABLE).count() == 1234


def test_issue_refuses_a_channel_the_campaign_lacks(campaign):
    campaign.channels.filter(channel="direct").delete()
    with pytest.raises(DomainError):
        list(codes_issue(campaign=campaign, channel="direct", count=1))
    assert not Code.objects.exists()


def test_lookup(campaign):
    code = next(iter(codes_issue(campaign=campaign, channel="retailer", count=1)))
    assert code_lookup(campaign=campaign, text=code.lower()).code == code
    with pytest.raises(DomainError) as info:
        code_lookup(campaign=campaign, text=code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert info.value.code == "code_invalid"
    other = campaign_factory(slug="other")
    with pytest.raises(NotFound):
        code_lookup(campaign=other, text=code)


def test_a_code_is_used_once(campaign):
    code = Code.objects.get(code=next(iter(codes_issue(campaign=campaign, channel="retailer",
                                                        count=1))))
    code_mark_used(code=code)
    stale = Code.objects.get(pk=code.pk)
    stale.status = CodeStatus.AVAILABLE  # a second request that read the row earlier
    with pytest.raises(Conflict):
        code_mark_used(code=stale)
    with pytest.raises(Conflict) as info:
        code_lookup(campaign=campaign, text=code.code)
    assert info.value.code == "code_already_used"


def test_command_prints_one_code_per_line(campaign, capsys):
    call_command("codes", "issue", "sonos-summer-2019", "--count", "25")
    lines = capsys.readouterr().out.split()
    assert len(lines) == 25
    assert all(normalise(line) for line in lines)
    assert Code.objects.count() == 25


def test_command_writes_a_file(campaign, tmp_path):
    out = tmp_path / "codes.txt"
    call_command("codes", "issue", "sonos-summer-2019", "--count", "10", "--channel", "direct",
                 "--out", str(out))
    assert len(out.read_text().split()) == 10
    assert Code.objects.filter(channel="direct").count() == 10
    with pytest.raises(CommandError):  # never overwrites a file of codes
        call_command("codes", "issue", "sonos-summer-2019", "--count", "1", "--out", str(out))


def test_command_unknown_campaign():
    with pytest.raises(CommandError):
        call_command("codes", "issue", "missing", "--count", "1")
