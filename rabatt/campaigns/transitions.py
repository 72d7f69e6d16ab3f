"""The campaign state machine: running or paused (the windows say whether it is open at all)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import CampaignState as S
from rabatt.core.transitions import TransitionTable, t

TRANSITIONS = TransitionTable("campaign", [
    t("pause", {S.RUNNING}, S.PAUSED, {"staff"}),
    t("resume", {S.PAUSED}, S.RUNNING, {"staff"}),
], labels=dict(S.choices), refusal=_("This cannot be done while the campaign is %(status)s."))

# States in which new claims are refused (those already submitted are still processed).
REFUSING_CLAIMS = TRANSITIONS.sources("resume")
