from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "rabatt.reports"
