from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Results"

    def ready(self):
        # surveys asks "is this cycle's roll-up finished?" (before publishing) through this hook,
        # so that it never imports reports.
        from surveys.rollup_state import register_rollup_finished

        from .runs import rollup_finished

        register_rollup_finished(rollup_finished)

        from . import visible  # noqa: F401  (its receivers forget the remembered visible cycles)
