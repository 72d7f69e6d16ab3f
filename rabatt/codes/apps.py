from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "rabatt.codes"
