from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "rabatt.payouts"
