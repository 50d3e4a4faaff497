"""Drafts keep their answers by department id, then question, instead of by form field name:
{"p12-courtesy": 4} becomes {"12": {"courtesy": 4}}. Reversible.

The old key format is written out here rather than imported: this migration describes the drafts
of its day, whatever the form's field names become.
"""

import re

from django.db import migrations, models

OLD_KEY = re.compile(r"p(?P<provider>[0-9]+)-(?P<question>.+)", re.DOTALL)


def keyed(answers: dict) -> dict:
    """One draft's answers by department id, then question; keys that name no department are dropped
    (the old draft_save dropped them too), answers already keyed are kept."""
    stored: dict[str, dict] = {}
    for key, value in answers.items():
        if isinstance(value, dict):
            stored.setdefault(key, {}).update(value)
        elif match := OLD_KEY.fullmatch(key):
            stored.setdefault(str(int(match["provider"])), {})[match["question"]] = value
    return stored


def by_field_name(answers: dict) -> dict:
    """The reverse: one draft's answers by form field name `p{department id}-{question}`."""
    flat = {}
    for key, value in answers.items():
        if isinstance(value, dict):
            flat.update({f"p{key}-{question}": answer for question, answer in value.items()})
        else:
            flat[key] = value
    return flat


def _rewrite(apps, convert) -> None:
    Draft = apps.get_model("surveys", "Draft")
    changed = []
    for draft in Draft.objects.only("id", "answers").iterator(chunk_size=2000):
        answers = convert(draft.answers)
        if answers != draft.answers:
            draft.answers = answers
            changed.append(draft)
    Draft.objects.bulk_update(changed, ["answers"], batch_size=2000)


def forwards(apps, schema_editor):
    _rewrite(apps, keyed)


def backwards(apps, schema_editor):
    _rewrite(apps, by_field_name)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_answer_keyed_by_question")]

    operations = [
        migrations.AlterField(
            model_name="draft",
            name="answers",
            field=models.JSONField(default=dict, help_text="Department id → question → value, as typed."),
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
