"""Answers are keyed by the question answered, (cycle, respondent, provider, dimension), instead of
a random uuid `id` plus a unique constraint on those four columns: one index instead of two, and
16 bytes less per row. Nothing used the uuid (answers are only read by cycle), and the new key
counts up no more than the old one did (the respondent key is random).

Django cannot migrate a table to a composite primary key by itself, so the state changes and the
table changes are written out: ALTER TABLE on PostgreSQL; on SQLite, which cannot change a
primary key in place, the table is rebuilt and its rows copied. Both ways are reversible.
"""

from django.db import migrations, models

KEY_COLUMNS = "cycle_id, respondent, provider_department_id, dimension_id"
COLUMNS = f"{KEY_COLUMNS}, rater_department_id, score"


def _rebuilt_on_sqlite(schema_editor, model, *, new_id_sql: str = "") -> None:
    """Recreate `model`'s table from its current state and copy the rows over (SQLite)."""
    table = model._meta.db_table
    schema_editor.execute(f'ALTER TABLE "{table}" RENAME TO "{table}__old"')
    schema_editor.create_model(model)
    id_column, id_value = ("id, ", f"{new_id_sql}, ") if new_id_sql else ("", "")
    schema_editor.execute(
        f'INSERT INTO "{table}" ({id_column}{COLUMNS}) SELECT {id_value}{COLUMNS} FROM "{table}__old"'
    )
    schema_editor.execute(f'DROP TABLE "{table}__old"')


def key_by_question(apps, schema_editor):
    answer = apps.get_model("surveys", "Answer")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {answer._meta.db_table} DROP CONSTRAINT surveys_answer_pkey, DROP COLUMN id, "
            f"DROP CONSTRAINT one_answer_per_question, ADD PRIMARY KEY ({KEY_COLUMNS})"
        )
    else:
        _rebuilt_on_sqlite(schema_editor, answer)


def key_by_random_id(apps, schema_editor):
    answer = apps.get_model("surveys", "Answer")
    if schema_editor.connection.vendor == "postgresql":
        table = answer._meta.db_table
        schema_editor.execute(
            f"ALTER TABLE {table} DROP CONSTRAINT surveys_answer_pkey, "
            "ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid()"
        )
        schema_editor.execute(
            f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT, ADD PRIMARY KEY (id), "
            f"ADD CONSTRAINT one_answer_per_question UNIQUE ({KEY_COLUMNS})"
        )
    else:
        _rebuilt_on_sqlite(schema_editor, answer, new_id_sql="lower(hex(randomblob(16)))")


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_ballots_sealed_ballot"),
    ]

    # Backwards, the first operation runs last, when the state holds the uuid `id` again.
    operations = [
        migrations.RunPython(migrations.RunPython.noop, key_by_random_id),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="answer", name="one_answer_per_question"),
                migrations.RemoveField(model_name="answer", name="id"),
                migrations.AddField(
                    model_name="answer",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "cycle",
                        "respondent",
                        "provider_department",
                        "dimension",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
        ),
        migrations.RunPython(key_by_question, migrations.RunPython.noop),
    ]
