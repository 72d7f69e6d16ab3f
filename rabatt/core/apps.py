from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rabatt.core"

    def ready(self) -> None:
        # Registers the deployment checks (SITE_URL) with `rabatt check --deploy`.
        from rabatt.core import checks  # noqa: F401
