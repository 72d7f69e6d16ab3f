"""Issue codes and mark them used; every "only once" is a conditional UPDATE."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, connections, transaction
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import Campaign, Channel
from rabatt.campaigns.rules import Purchase, PurchaseLine, Reason
from rabatt.campaigns.services import campaign_quote
from rabatt.codes.alphabet import generate, normalise
from rabatt.codes.emails import code_email_error, code_email_queue
from rabatt.codes.models import (
    ApiKey,
    Code,
    CodeBatch,
    CodeEvent,
    CodeStatus,
    Recipient,
    Redemption,
    RedemptionStatus,
)
from rabatt.codes.selectors import API_KEYS_GENERATION_KEY, code_for_text
from rabatt.codes.transitions import (
    RECIPIENT_TRANSITIONS,
    RECIPIENTS_TO_SEND,
    REDEMPTION_TRANSITIONS,
)
from rabatt.core.cache import local_clear
from rabatt.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from rabatt.core.timeutil import utcnow
from rabatt.core.tokens import token_hash
from rabatt.core.transitions import apply
from rabatt.notifications import services as notifications
from rabatt.notifications.models import Suppression

CHUNK = 5000


def codes_issue(
    *,
    campaign: Campaign,
    channel: str,
    count: int,
    note: str = "",
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """Create ``count`` new codes and yield each one (canonical form) as it is stored."""
    if count < 1:
        raise DomainError(_("Issue at least one code."), code="invalid_count")
    if not campaign.channels.filter(channel=channel).exists():
        raise DomainError(
            _("The campaign has no %(channel)s channel.") % {"channel": channel},
            code="channel_not_offered",
        )
    batch = CodeBatch.objects.create(campaign=campaign, channel=channel, count=count, note=note)
    remaining = count
    while remaining:
        wanted = {generate() for _ in range(min(CHUNK, remaining))}
        with transaction.atomic():
            # A collision at 75 random bits is astronomically rare; ignore_conflicts plus a
            # re-read keeps the count exact anyway.
            Code.objects.bulk_create(
                [Code(campaign=campaign, batch=batch, channel=channel, code=c) for c in wanted],
                ignore_conflicts=True,
            )
            stored = set(
                Code.objects.filter(batch=batch, code__in=wanted).values_list("code", flat=True)
            )
        yield from sorted(stored)
        remaining -= len(stored)
        if progress:
            progress(len(stored))


def code_lookup(*, campaign: Campaign, text: str, channel: str | None = None) -> Code:
    """Find the code a person typed, refusing typos before touching the database."""
    canonical = normalise(text)
    if canonical is None:
        raise DomainError(
            _("This code is not valid. Please check it for typing errors."), code="code_invalid",
            fields={"code": "invalid"},
        )
    code = Code.objects.filter(campaign=campaign, code=canonical).first()
    if code is None or (channel is not None and code.channel != channel):
        raise NotFound(_("We do not know this code for this campaign."), code="code_unknown")
    if code.status == CodeStatus.VOID:
        raise DomainError(_("This code is no longer valid."), code="code_void")
    if code.status == CodeStatus.USED:
        raise Conflict(_("This code has already been used."), code="code_already_used")
    return code


def code_mark_used(*, code: Code) -> None:
    """Mark ``code`` used, or raise Conflict if another transaction got there first."""
    updated = Code.objects.filter(pk=code.pk, status=CodeStatus.AVAILABLE).update(
        status=CodeStatus.USED, used_at=utcnow()
    )
    if updated != 1:
        raise Conflict(_("This code has already been used."), code="code_already_used")
    code.status = CodeStatus.USED


# -- single codes ---------------------------------------------------------------------------


def code_issue_one(*, campaign: Campaign, channel: str, note: str = "") -> Code:
    """Create one new code (for a referred friend or a distribution recipient)."""
    if not campaign.channels.filter(channel=channel).exists():
        raise DomainError(
            _("The campaign has no %(channel)s channel.") % {"channel": channel},
            code="channel_not_offered",
        )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                code = Code.objects.create(campaign=campaign, channel=channel, code=generate())
                _code_event(kind="issued", code=code, data={"note": note} if note else None)
                return code
        except IntegrityError:  # a collision at 75 random bits: try another
            continue
    raise Conflict(_("Please try again."), code="retry")


def _code_event(*, kind: str, code: Code | None = None, redemption: Redemption | None = None,
                recipient: Recipient | None = None, api_key: ApiKey | None = None,
                data: dict[str, Any] | None = None, at: datetime | None = None) -> CodeEvent:
    return CodeEvent.objects.create(
        at=at or utcnow(), kind=kind, code=code, redemption=redemption, recipient=recipient,
        api_key=api_key, data=data or {},
    )


# -- API keys -------------------------------------------------------------------------------

API_KEY_PREFIX = "rk_"


def api_key_create(*, name: str, campaigns: Sequence[Campaign]) -> tuple[ApiKey, str]:
    """Create a key scoped to ``campaigns``; return it and the secret (shown once, never stored)."""
    name = name.strip()
    if not name or len(name) > 80:
        raise DomainError(_("Give the key a name of 1 to 80 characters."), code="invalid_name")
    if not campaigns:
        raise DomainError(_("Scope the key to at least one campaign."), code="no_campaign")
    if ApiKey.objects.filter(name=name).exists():
        raise Conflict(_("A key with this name exists already."), code="name_taken")
    for _attempt in range(5):
        prefix = API_KEY_PREFIX + secrets.token_hex(4)
        secret = f"{prefix}.{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(name=name, prefix=prefix, key_hash=token_hash(secret))
                key.campaigns.set(campaigns)
                _code_event(kind="api_key_created", api_key=key,
                            data={"campaigns": sorted(c.slug for c in campaigns)})
                return key, secret
        except IntegrityError:
            if ApiKey.objects.filter(name=name).exists():
                raise Conflict(_("A key with this name exists already."),
                               code="name_taken") from None
    raise Conflict(_("Please try again."), code="retry")


def api_keys_cache_invalidate() -> None:
    """Start a new key generation: every API key cached so far is read again."""
    local_clear()
    cache.set(API_KEYS_GENERATION_KEY, secrets.token_hex(8), None)


def api_key_revoke(*, name_or_prefix: str) -> ApiKey:
    """Revoke a key by its name or its prefix; revoking twice is harmless."""
    with transaction.atomic():
        key = (ApiKey.objects.select_for_update().filter(name=name_or_prefix).first()
               or ApiKey.objects.select_for_update().filter(prefix=name_or_prefix).first())
        if key is None:
            raise NotFound(_("No such API key."), code="api_key_unknown")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            key.save(update_fields=["revoked_at"])
            _code_event(kind="api_key_revoked", api_key=key, at=key.revoked_at)
            # Now, for reads in this transaction, and again after commit: a request that read
            # the key before the commit cached it under the generation set now.
            api_keys_cache_invalidate()
            transaction.on_commit(api_keys_cache_invalidate)
    return key


# -- shop redemptions -----------------------------------------------------------------------


class NotEligible(DomainError):
    """The order does not qualify; carries the rules engine's reasons."""

    code = "not_eligible"
    status = 422

    def __init__(self, reasons: Sequence[Reason]) -> None:
        super().__init__(_("The order does not qualify for the discount."))
        self.reasons = list(reasons)

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["reasons"] = [{"code": r.code, "message": str(r.message), "product": r.product}
                           for r in self.reasons]
        return body


@dataclass(frozen=True)
class OrderIn:
    order_id: str
    country: str
    lines: Sequence[PurchaseLine]
    currency: str | None = None
    other_discounts: bool = False


@dataclass(frozen=True)
class ShopQuote:
    code: Code
    discount: Decimal
    currency: str


def _shop_code(campaign: Campaign, text: str) -> Code:
    canonical = normalise(text)
    if canonical is None:
        # Refused before any lookup: a typo or a guess costs no database work.
        raise DomainError(_("This code is not valid. Please check it for typing errors."),
                          code="code_invalid")
    code = code_for_text(campaign=campaign, canonical=canonical)
    if code is None:
        raise NotFound(_("We do not know this code for this campaign."), code="code_unknown")
    if code.channel != Channel.DIRECT:
        raise DomainError(_("This code gives cashback through an authorised retailer; it cannot "
                            "be used in the shop."), code="code_wrong_channel")
    if code.status == CodeStatus.VOID:
        raise DomainError(_("This code is no longer valid."), code="code_void")
    if code.status == CodeStatus.USED:
        raise Conflict(_("This code has already been used."), code="code_already_used")
    return code


def _refuse_combined(order: OrderIn) -> None:
    if order.other_discounts:
        raise DomainError(_("The discount code cannot be combined with other discounts."),
                          code="combined_offer")


def _shop_quote(campaign: Campaign, code: Code, order: OrderIn, now: datetime) -> ShopQuote:
    result = campaign_quote(campaign=campaign, purchase=Purchase(
        country=order.country, channel=Channel.DIRECT, purchased_at=now, claimed_at=now,
        lines=order.lines, currency=order.currency,
    ))
    if not result.eligible or result.currency is None:
        raise NotEligible(result.reasons)
    return ShopQuote(code=code, discount=result.amount, currency=result.currency)


def _live_redemption_for_order(campaign: Campaign, order_id: str) -> Redemption | None:
    return Redemption.objects.select_related("code").filter(
        campaign=campaign, order_id=order_id, status=RedemptionStatus.REDEEMED).first()


def _same_order(existing: Redemption, text: str) -> bool:
    return existing.code.code == normalise(text)


def _replayed(campaign: Campaign, order: OrderIn, text: str) -> Redemption | None:
    """The live redemption of this very order and code, if this request is a retry."""
    if not order.order_id or normalise(text) is None:
        return None
    existing = _live_redemption_for_order(campaign, order.order_id)
    return existing if existing is not None and _same_order(existing, text) else None


def code_validate(*, campaign: Campaign, text: str, order: OrderIn,
                  now: datetime | None = None) -> ShopQuote:
    """Answer whether ``text`` gives a discount on ``order`` and how much; changes nothing.

    For an order that already redeemed this code, the answer is that redemption's discount.
    """
    now = now or utcnow()
    _refuse_combined(order)
    try:
        return _shop_quote(campaign, _shop_code(campaign, text), order, now)
    except DomainError:
        existing = _replayed(campaign, order, text)
        if existing is None:
            raise
        return ShopQuote(code=existing.code, discount=existing.discount,
                         currency=existing.currency)


def code_redeem(*, campaign: Campaign, text: str, order: OrderIn, api_key: ApiKey | None = None,
                now: datetime | None = None) -> tuple[Redemption, bool]:
    """Use a discount code for an order; return the redemption and whether it is new.

    The same order and code again return the first redemption (also when retries race). The
    code's conditional UPDATE and the partial unique constraints (one live redemption per code
    and per order) make a second live redemption impossible; the happy path reads nothing twice.
    """
    now = now or utcnow()
    _refuse_combined(order)
    fast = _redeem_in_one_statement(campaign=campaign, text=text, order=order, api_key=api_key,
                                    now=now)
    if fast is not None:
        return fast, True
    # Anything but a plain success (unknown, used or void code, wrong channel, an order that
    # does not qualify, a retry, a race, a key revoked a moment ago) takes the path that tells
    # exactly why.
    if api_key is not None and not ApiKey.objects.filter(pk=api_key.pk,
                                                         revoked_at__isnull=True).exists():
        raise PermissionDenied(_("This API key has been revoked."), code="api_key_revoked")
    try:
        quote = _shop_quote(campaign, _shop_code(campaign, text), order, now)
        with transaction.atomic():
            code_mark_used(code=quote.code)
            redemption = Redemption.objects.create(
                campaign=campaign, code=quote.code, api_key=api_key, order_id=order.order_id,
                country=order.country, currency=quote.currency, discount=quote.discount,
                lines=[{"product": line.product, "price": str(line.price),
                        "quantity": line.quantity} for line in order.lines],
                created_at=now, updated_at=now,
            )
            _code_event(kind="redeemed", code=quote.code, redemption=redemption, api_key=api_key,
                        data={"order_id": order.order_id, "discount": str(quote.discount),
                              "currency": quote.currency}, at=now)
    except (DomainError, IntegrityError) as exc:
        # A retry of this very order (perhaps racing the first try) gets the first answer.
        existing = _replayed(campaign, order, text)
        if existing is not None:
            return existing, False
        if isinstance(exc, IntegrityError) or getattr(exc, "code", "") == "code_already_used":
            if Redemption.objects.filter(campaign=campaign, order_id=order.order_id,
                                         status=RedemptionStatus.REDEEMED).exists():
                raise Conflict(_("This order already has a discount code."),
                               code="order_already_redeemed") from None
            raise Conflict(_("This code has already been used."),
                           code="code_already_used") from None
        raise
    return redemption, True


def _redeem_in_one_statement(*, campaign: Campaign, text: str, order: OrderIn,
                             api_key: ApiKey | None, now: datetime) -> Redemption | None:
    """Redeem an available direct code in one round trip on PostgreSQL, or return None.

    One statement marks the code used (conditional on its status), inserts the redemption
    and its event, so it commits or fails as a whole; the partial unique constraints still
    guard against a second live redemption per code or per order.
    """
    connection = connections[Redemption.objects.db]
    canonical = normalise(text)
    if connection.vendor != "postgresql" or canonical is None or not order.order_id:
        return None
    result = campaign_quote(campaign=campaign, purchase=Purchase(
        country=order.country, channel=Channel.DIRECT, purchased_at=now, claimed_at=now,
        lines=order.lines, currency=order.currency,
    ))
    if not result.eligible or result.currency is None:
        return None
    lines = [{"product": line.product, "price": str(line.price), "quantity": line.quantity}
             for line in order.lines]
    event = {"order_id": order.order_id, "discount": str(result.amount),
             "currency": result.currency}
    api_key_id = api_key.pk if api_key is not None else None
    sql = f"""
        WITH used AS (
            UPDATE {Code._meta.db_table} SET status = %s, used_at = %s
            WHERE campaign_id = %s AND code = %s AND channel = %s AND status = %s
              AND (%s::bigint IS NULL OR EXISTS (
                  SELECT 1 FROM {ApiKey._meta.db_table} WHERE id = %s AND revoked_at IS NULL))
            RETURNING id
        ), redemption AS (
            INSERT INTO {Redemption._meta.db_table}
                (campaign_id, code_id, api_key_id, order_id, status, country, currency,
                 discount, lines, created_at, updated_at)
            SELECT %s, used.id, %s::bigint, %s, %s, %s, %s, %s, %s::jsonb, %s, %s FROM used
            RETURNING id, code_id
        ), event AS (
            INSERT INTO {CodeEvent._meta.db_table}
                (at, kind, code_id, redemption_id, api_key_id, data)
            SELECT %s, 'redeemed', redemption.code_id, redemption.id, %s::bigint, %s::jsonb
            FROM redemption
        )
        SELECT id, code_id FROM redemption
    """  # noqa: S608 (table names come from the models, every value is a parameter)
    params: list[Any] = [
        CodeStatus.USED, now, campaign.pk, canonical, Channel.DIRECT, CodeStatus.AVAILABLE,
        api_key_id, api_key_id,
        campaign.pk, api_key_id, order.order_id, RedemptionStatus.REDEEMED, order.country,
        result.currency, result.amount, json.dumps(lines), now, now,
        now, api_key_id, json.dumps(event),
    ]
    try:
        if connection.in_atomic_block:
            # Inside a caller's transaction a failure must not spoil it: use a savepoint.
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
        else:
            # A single statement in autocommit mode is a transaction of its own.
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
    except IntegrityError:
        return None  # the order has a live redemption already: a retry, or another code
    if row is None:
        return None
    return Redemption(
        pk=row[0], campaign=campaign, code_id=row[1], api_key=api_key, order_id=order.order_id,
        status=RedemptionStatus.REDEEMED, country=order.country, currency=result.currency,
        discount=result.amount, lines=lines, created_at=now, updated_at=now,
    )


def _redemption_locked(redemption_id: int, campaign_ids: Sequence[int] | None) -> Redemption:
    qs = Redemption.objects.select_for_update().filter(pk=redemption_id)
    if campaign_ids is not None:
        qs = qs.filter(campaign_id__in=list(campaign_ids))
    redemption = qs.first()
    if redemption is None:
        raise NotFound(_("No such redemption."), code="redemption_unknown")
    return redemption


# What each redemption action writes in the history, and how it refuses a redemption that is no
# longer live (the shop API's answers).
_REDEMPTION_EVENTS = {"cancel": "cancelled", "void": "voided"}
_REDEMPTION_REFUSALS = {
    "cancel": _("A redemption whose product was returned cannot be cancelled."),
    "void": _("A cancelled redemption cannot be voided."),
}


def _redemption_transition(*, redemption_id: int, action: str, api_key: ApiKey | None,
                           campaign_ids: Sequence[int] | None,
                           data: dict[str, Any] | None = None) -> Redemption:
    """Lock the redemption, check the table, save the change, write the event; once only.

    Taking the action again answers alike; cancelling releases the code in the same
    transaction.
    """
    with transaction.atomic():
        redemption = _redemption_locked(redemption_id, campaign_ids)
        if redemption.status == REDEMPTION_TRANSITIONS[action].target:
            return redemption
        try:
            transition = REDEMPTION_TRANSITIONS.check(
                action, status=redemption.status, actor_type="shop" if api_key else "staff")
        except Conflict:
            raise Conflict(_REDEMPTION_REFUSALS[action], code="redemption_not_live") from None
        now = utcnow()
        apply(redemption, transition, changes={"updated_at": now})
        if action == "cancel":
            released = Code.objects.filter(pk=redemption.code_id, status=CodeStatus.USED).update(
                status=CodeStatus.AVAILABLE, used_at=None)
            data = {"code_released": bool(released)}
        _code_event(kind=_REDEMPTION_EVENTS[action], code=redemption.code,
                    redemption=redemption, api_key=api_key, data=data, at=now)
    return redemption


def redemption_cancel(*, redemption_id: int, api_key: ApiKey | None = None,
                      campaign_ids: Sequence[int] | None = None) -> Redemption:
    """The order was cancelled before completion: end the redemption and release the code.

    Cancelling twice answers alike; a voided (returned) redemption cannot be cancelled.
    """
    return _redemption_transition(redemption_id=redemption_id, action="cancel", api_key=api_key,
                                  campaign_ids=campaign_ids)


def redemption_void(*, redemption_id: int, api_key: ApiKey | None = None,
                    campaign_ids: Sequence[int] | None = None, reason: str = "") -> Redemption:
    """A product was returned: the benefit is void and the code stays used."""
    return _redemption_transition(redemption_id=redemption_id, action="void", api_key=api_key,
                                  campaign_ids=campaign_ids,
                                  data={"reason": reason[:200]} if reason else None)


# -- distribution ---------------------------------------------------------------------------


def email_key(email: str) -> str:
    """How distribution tells addresses apart: trimmed and lower-cased."""
    return email.strip().lower()


def recipients_import(*, campaign: Campaign, rows: Sequence[Any]) -> tuple[int, int]:
    """Add recipients (``email``, ``name``, ``locale``); return (new, already listed)."""
    wanted: dict[str, Any] = {}
    for row in rows:
        wanted.setdefault(email_key(row.email), row)
    existing = set(Recipient.objects.filter(
        campaign=campaign, email_normalised__in=list(wanted)).values_list(
        "email_normalised", flat=True))
    new = [Recipient(campaign=campaign, email=row.email.strip(), email_normalised=key,
                     name=row.name, locale=row.locale)
           for key, row in wanted.items() if key not in existing]
    created = 0
    for start in range(0, len(new), CHUNK):
        with transaction.atomic():
            # ignore_conflicts: a second import at the same moment adds nobody twice.
            Recipient.objects.bulk_create(new[start:start + CHUNK], ignore_conflicts=True)
        created += len(new[start:start + CHUNK])
    return created, len(existing) + (len(rows) - len(wanted))


def recipient_code_assign(*, recipient_id: int, channel: str) -> Code:
    """Give a recipient their code, once: a second call returns the same code."""
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update(of=("self",)).select_related(
            "code", "campaign").get(pk=recipient_id)
        if recipient.code is not None:
            return recipient.code
        code = code_issue_one(campaign=recipient.campaign, channel=channel, note="distribution")
        recipient.code = code
        recipient.save(update_fields=["code"])
        _code_event(kind="assigned", code=code, recipient=recipient)
        return code


def _recipient_transition(*, recipient: Recipient, action: str,
                          changes: dict[str, Any] | None = None) -> None:
    """Move a locked recipient along the table (the caller writes the event)."""
    transition = RECIPIENT_TRANSITIONS.check(action, status=recipient.status,
                                             actor_type="system")
    apply(recipient, transition, changes=changes)


def recipient_send(*, recipient_id: int) -> str:
    """Queue a recipient's code e-mail unless queued or sent already or the address is suppressed.

    Returns ``queued``, ``suppressed`` or ``skipped``. The outbox sends it once this commits
    and tells :func:`recipient_email_result` how it went; until then the recipient is
    ``sending``, so a second run does not queue it again.
    """
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update(of=("self",)).select_related(
            "code", "campaign").get(pk=recipient_id)
        if recipient.status not in RECIPIENTS_TO_SEND:
            return "skipped"
        if recipient.code is None:
            raise DomainError(_("The recipient has no code yet."), code="no_code")
        reason = (Suppression.objects.filter(email_normalised=recipient.email_normalised)
                  .values_list("reason", flat=True).first())
        if reason is not None:
            _recipient_transition(recipient=recipient, action="suppress")
            _code_event(kind="suppressed", recipient=recipient, data={"reason": reason})
            return "suppressed"
        _recipient_transition(recipient=recipient, action="queue",
                              changes={"attempts": recipient.attempts + 1})
        code_email_queue(recipient=recipient)
    return "queued"


def recipient_email_result(*, recipient_id: int, outcome: str, at: datetime) -> None:
    """Record what the outbox did with a recipient's code e-mail (hook ``codes.recipient_emailed``).

    An outcome the recipient's state no longer allows (say, a failure after the address was
    suppressed) changes nothing: the outbox must be able to finish whatever happens here.
    """
    action = {"sent": "mark_sent", "failed": "mark_failed", "suppressed": "suppress"}.get(outcome)
    with transaction.atomic():
        recipient = (Recipient.objects.select_for_update(of=("self",)).select_related("code")
                     .filter(pk=recipient_id).first())
        if (recipient is None or action is None
                or recipient.status not in RECIPIENT_TRANSITIONS.sources(action)):
            return
        if action == "mark_sent":
            _recipient_transition(recipient=recipient, action=action,
                                  changes={"sent_at": at, "last_error": ""})
            _code_event(kind="sent", recipient=recipient, code=recipient.code, at=at)
        elif action == "mark_failed":
            error = code_email_error(recipient=recipient)
            _recipient_transition(recipient=recipient, action=action,
                                  changes={"last_error": error})
            _code_event(kind="send_failed", recipient=recipient,
                        data={"error": error.split(":", 1)[0]}, at=at)
        else:
            reason = (Suppression.objects.filter(email_normalised=recipient.email_normalised)
                      .values_list("reason", flat=True).first())
            _recipient_transition(recipient=recipient, action=action)
            _code_event(kind="suppressed", recipient=recipient,
                        data={"reason": reason or "suppressed"}, at=at)


def recipients_suppress(*, email: str, reason: str, detail: str) -> None:
    """Stop distribution to an address that bounced or unsubscribed (hook ``email.suppressed``).

    Every recipient with the address gets the event; those not yet e-mailed (or whose e-mail
    is still queued, which the outbox now withholds) become ``suppressed``.
    """
    key = email_key(email)
    for recipient in Recipient.objects.select_for_update().filter(email_normalised=key):
        _code_event(kind=reason, recipient=recipient, data={"detail": detail[:200]})
        if recipient.status in RECIPIENT_TRANSITIONS.sources("suppress"):
            _recipient_transition(recipient=recipient, action="suppress")


def suppression_add(*, email: str, reason: str, detail: str = "") -> bool:
    """Never send marketing to ``email`` again; return False if it was suppressed already."""
    return notifications.suppression_add(email=email, reason=reason, detail=detail)


def recipient_unsubscribe(*, recipient_id: int) -> bool:
    """The one-click unsubscribe of a distribution e-mail (RFC 8058)."""
    recipient = Recipient.objects.filter(pk=recipient_id).first()
    if recipient is None:
        raise NotFound(_("This link is not valid."), code="unsubscribe_invalid")
    return suppression_add(email=recipient.email, reason="unsubscribed",
                           detail=f"link in {recipient.campaign.slug} e-mail")
