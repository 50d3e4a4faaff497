"""The outcome question (contract: slug `outcome`), after the expectation on each provider's section.

Its text names the provider: `{department}` is replaced by the department's name on the survey.
"""

from django.db import migrations

OUTCOME = (
    "outcome",
    "Overall",
    "Overall, I get what I need from {department} to do my job well.",
)


def create_outcome(apps, schema_editor):
    Dimension = apps.get_model("surveys", "Dimension")
    slug, label, question = OUTCOME
    Dimension.objects.get_or_create(
        slug=slug, defaults={"label": label, "question": question, "position": 100, "is_expectation": False}
    )


def remove_outcome(apps, schema_editor):
    # Answers protect their dimension: a database holding outcome answers keeps the row.
    Dimension = apps.get_model("surveys", "Dimension")
    Answer = apps.get_model("surveys", "Answer")
    if not Answer.objects.filter(dimension__slug=OUTCOME[0]).exists():
        Dimension.objects.filter(slug=OUTCOME[0]).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_drafts_keyed_by_question")]

    operations = [migrations.RunPython(create_outcome, remove_outcome)]
