from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rabatt.core"

    def ready(self) -> None:
        """Register the production checks of ``rabatt check``."""
        from rabatt.core import checks  # noqa: F401 (registers on import)
