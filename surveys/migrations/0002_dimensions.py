"""The contract's six dimensions and the expectation question. Slugs are fixed by the contract."""

from django.db import migrations

DIMENSIONS = [
    ("willingness", "Willingness to help", "They are willing to help me, whatever their title or department."),
    (
        "ownership",
        "Ownership",
        "They own my request: I never hear \u201cthat's not my job\u201d; if they can't solve it they bring in who can.",
    ),
    ("responsiveness", "Responsiveness", "They respond within the time I need."),
    ("reliability", "Reliability", "They do what they promised, consistently."),
    ("courtesy", "Courtesy", "They treat me with care and respect, never with indifference."),
    ("communication", "Communication", "They keep me informed of progress and decisions."),
]
EXPECTATION = (
    "expectation",
    "What you expected",
    "Overall, what level of service did you expect from them this quarter?",
)


def create_dimensions(apps, schema_editor):
    Dimension = apps.get_model("surveys", "Dimension")
    for position, (slug, label, question) in enumerate(DIMENSIONS, start=1):
        Dimension.objects.get_or_create(
            slug=slug, defaults={"label": label, "question": question, "position": position, "is_expectation": False}
        )
    slug, label, question = EXPECTATION
    Dimension.objects.get_or_create(
        slug=slug, defaults={"label": label, "question": question, "position": 99, "is_expectation": True}
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_dimensions, migrations.RunPython.noop)]
