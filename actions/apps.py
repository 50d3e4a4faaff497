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
