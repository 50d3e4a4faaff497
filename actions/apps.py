from django.apps import AppConfig


class ActionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actions"
    verbose_name = "Commitments and training"

    def ready(self):
        # The report pages show commitments without reports importing actions: actions registers
        # what it adds to them (reports.panels).
        from reports import panels

        from . import panels as ours

        panels.register(ours.COMMITMENTS)

        from surveys.signals import results_published

        from .webhook import on_results_published

        results_published.connect(on_results_published, dispatch_uid="actions.webhook.results_published")

        from django.db.models.signals import post_delete, post_save

        from .models import Commitment

        # Any change to a commitment (pages, admin) is seen by this process's next page at once.
        for signal in (post_save, post_delete):
            signal.connect(
                lambda **kwargs: panels.forget(), sender=Commitment, weak=False, dispatch_uid=f"actions.forget.{signal}"
            )
