from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "rabatt.campaigns"
