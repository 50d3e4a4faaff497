from django.apps import AppConfig


def _compute(*, cycle_id: int):
    from .services import rollup_cycle

    return rollup_cycle(cycle_id=cycle_id)


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Results"

    def ready(self):
        # surveys asks for roll-ups through this one interface, so that it never imports reports.
        from surveys.rollups import RollupBackend, register

        from .runs import rollup_finished, rollup_outlook, rollup_request

        register(
            RollupBackend(request=rollup_request, finished=rollup_finished, outlook=rollup_outlook, compute=_compute)
        )

        from . import visible  # noqa: F401  (its receivers forget the remembered visible cycles)
