"""surveys/migrations: drafts saved by form field name (before 0005) are rewritten by department
and question, and back; the rewritten drafts read as the survey page reads them."""

import importlib

import pytest
from django.apps import apps

from surveys.models import Draft

pytestmark = pytest.mark.django_db
keyed_by_question = importlib.import_module("surveys.migrations.0005_drafts_keyed_by_question")


def test_a_draft_saved_by_field_name_is_rewritten_by_department_and_question(employee, manager, open_cycle, org):
    eo, it = org["executive_office"].id, org["it"].id
    old = {f"p{eo}-courtesy": 4, f"p{eo}-expectation": 3, f"p{eo}-comment": "Slow", f"p{it}-skip": True}
    draft = Draft.objects.create(employee=employee, cycle=open_cycle, providers=[it], answers=old)
    empty = Draft.objects.create(employee=manager, cycle=open_cycle, providers=[it])

    keyed_by_question.forwards(apps, None)

    draft.refresh_from_db()
    assert draft.answers == {str(eo): {"courtesy": 4, "expectation": 3, "comment": "Slow"}, str(it): {"skip": True}}
    assert draft.keyed_answers == {
        (eo, "courtesy"): 4,
        (eo, "expectation"): 3,
        (eo, "comment"): "Slow",
        (it, "skip"): True,
    }
    assert Draft.objects.get(pk=empty.pk).answers == {}

    keyed_by_question.forwards(apps, None)  # a second run changes nothing
    assert Draft.objects.get(pk=draft.pk).answers == draft.answers

    keyed_by_question.backwards(apps, None)
    assert Draft.objects.get(pk=draft.pk).answers == old


def test_keys_that_name_no_department_are_dropped_as_draft_save_dropped_them():
    assert keyed_by_question.keyed({"p12-courtesy": 4, "x": 1, "pabc-skip": True, "p-comment": "hi"}) == {
        "12": {"courtesy": 4}
    }
