from django.db import migrations, models


def compute(apps, schema_editor):
    """Existing snapshots: shown when any of their rows is not suppressed."""
    CycleSummary = apps.get_model("reports", "CycleSummary")
    shown = set()
    for name in ("DepartmentResult", "LinkResult", "CompanyResult"):
        model = apps.get_model("reports", name)
        shown |= set(model.objects.filter(suppressed=False).values_list("cycle_id", flat=True).distinct())
    CycleSummary.objects.exclude(cycle_id__in=shown).update(shows_anything=False)


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_snapshot_variance_and_group_size")]

    operations = [
        migrations.AddField(
            model_name="cyclesummary",
            name="shows_anything",
            field=models.BooleanField(
                default=True, help_text="False when every figure of the roll-up is hidden (too few responses)."
            ),
        ),
        migrations.RunPython(compute, migrations.RunPython.noop),
    ]
