"""Claims: a consumer's request for cashback, its lines, bank details, files and history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rabatt.campaigns.models import Campaign, Product, Retailer
from rabatt.codes.models import Code
from rabatt.privacy.models import Subject


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    LAPSED = "lapsed", _("Lapsed (no answer in time)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    VOIDED = "voided", _("Voided (product returned)")
    PAID = "paid", _("Paid")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")


class InfoReason(models.TextChoices):
    RECEIPT_UNREADABLE = "receipt_unreadable", _("The proof of purchase is not readable")
    PRICE_MISSING = "price_missing", _("The proof of purchase does not show the price paid")
    PRODUCT_MISSING = "product_missing", _("The proof of purchase does not show the product")
    RETAILER_MISSING = "retailer_missing", _("The proof of purchase does not show the retailer")
    WRONG_DOCUMENT = "wrong_document", _("The document is not a proof of purchase")
    ORDER_CONFIRMATION = "order_confirmation", _(
        "An order confirmation is not a proof of purchase: please send the invoice or delivery note"
    )
    BANK_MISMATCH = "bank_mismatch", _("The bank details do not match the applicant")
    PROOF_OF_IDENTITY = "proof_of_identity", _("We need a proof of identity")
    PROOF_OF_AGE = "proof_of_age", _("We need a proof of age")
    OTHER = "other", _("Other")


class Claim(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="claims")
    # One claim per code, ever: the database refuses a second one.
    code = models.OneToOneField(Code, on_delete=models.PROTECT, related_name="claim")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=20, choices=ClaimStatus.choices,
                              default=ClaimStatus.SUBMITTED)
    locale = models.CharField(max_length=8, default="en")

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    # The address with what people vary to look like many ("+tags", dots at gmail, trailing
    # digits) taken out: many claims from one pattern are a risk flag on the desk.
    email_pattern = models.CharField(max_length=254, blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    # Keyed hash of the random device cookie the claim form sets: one browser behind claims of
    # different people is a risk flag on the desk. Empty when the browser kept no cookie (or the
    # claim came through the API).
    device_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    address_country = models.CharField(max_length=2)

    purchase_country = models.CharField(max_length=2)
    channel = models.CharField(max_length=16)
    retailer = models.ForeignKey(Retailer, on_delete=models.PROTECT, null=True,
                                 related_name="claims")
    purchased_at = models.DateTimeField()
    order_number = models.CharField(max_length=100, blank=True)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    capped = models.BooleanField(default=False)

    terms_version = models.CharField(max_length=40)
    declarations = models.JSONField(default=dict)
    marketing_consent = models.BooleanField(default=False)

    submitted_at = models.DateTimeField()
    info_requested_at = models.DateTimeField(null=True, blank=True)
    info_due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_automatically = models.BooleanField(default=False)
    # The 30-day payment promise, counted from approval.
    payment_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # How well the bank account holder's name matches the claimant's (0 to 1).
    bank_holder_match = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["email"]),
            # The desk sorts by the 7-day answer window and the 30-day payment promise.
            models.Index(fields=["status", "info_requested_at"]),
            models.Index(fields=["status", "payment_due_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="claim_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return self.reference


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(max_digits=14, decimal_places=2)
    quantity = models.PositiveIntegerField(default=1)
    qualifying = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.product.code} x{self.quantity}"


class BankDetails(models.Model):
    """Bank details of a claim, sealed with the claimant's data key."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="bank")
    sealed = models.BinaryField()
    masked = models.CharField(max_length=60)
    # Keyed hash of the account, to find other claims paid to the same account.
    fingerprint = models.CharField(max_length=64, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.masked


class ClaimEvent(models.Model):
    class Actor(models.TextChoices):
        CONSUMER = "consumer", _("Consumer")
        STAFF = "staff", _("Staff")
        SYSTEM = "system", _("System")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor_type = models.CharField(max_length=10, choices=Actor.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["claim", "at"])]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind}"


class InfoRequestToken(models.Model):
    """A link e-mailed to the consumer to answer a request for information."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="info_tokens")
    event = models.OneToOneField(ClaimEvent, on_delete=models.CASCADE, related_name="token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.claim_id}"


class ClaimDraft(models.Model):
    """The wizard's progress, kept server-side so a reload or a lost connection loses nothing."""

    token_hash = models.CharField(max_length=64, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    # Seals uploaded files until the claim is submitted and they move to the claimant's key.
    wrapped_key = models.BinaryField()
    claim = models.OneToOneField(Claim, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="draft")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"draft {self.pk}"
