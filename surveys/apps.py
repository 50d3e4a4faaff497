from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = "Org and surveys"

    def ready(self):
        from accounts.identity import identity_changed

        from .dimensions import ensure_dimensions
        from .roles import sync_role_groups

        # Groups hold permissions that exist only after every app has migrated.
        post_migrate.connect(sync_role_groups, dispatch_uid="surveys.sync_role_groups")
        # The dimensions come from a data migration; a database flush (as between transactional
        # tests) removes them without re-running it, so they are restored here too.
        post_migrate.connect(ensure_dimensions, dispatch_uid="surveys.ensure_dimensions")
        # A person whose sign-in address changes loses their unsubmitted drafts: whoever reads the
        # new address may sign in as them, and must find nothing of what they started.
        identity_changed.connect(_discard_drafts, dispatch_uid="surveys.discard_drafts")


def _discard_drafts(sender, *, user_ids, **kwargs):
    from .services.survey import drafts_discard

    drafts_discard(user_ids=user_ids)
