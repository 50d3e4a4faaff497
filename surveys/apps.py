from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = "Org and surveys"

    def ready(self):
        from .dimensions import ensure_dimensions
        from .roles import sync_role_groups

        # Groups hold permissions that exist only after every app has migrated.
        post_migrate.connect(sync_role_groups, dispatch_uid="surveys.sync_role_groups")
        # The dimensions come from a data migration; a database flush (as between transactional
        # tests) removes them without re-running it, so they are restored here too.
        post_migrate.connect(ensure_dimensions, dispatch_uid="surveys.ensure_dimensions")
