"""The published JSON Schema accepts the sample briefs and rejects what the validator rejects."""

import json
import re

import jsonschema
import pytest
import yaml

from briefkit.model import brief_json_schema
from conftest import REPO

SAMPLES = sorted(p for p in (REPO / "briefs").glob("*.yml") if re.match(r"\d{4}-", p.name))


def as_json(path) -> dict:
    """The brief as an editor's YAML extension sees it: dates are strings."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_briefs_validate_against_the_schema(path):
    jsonschema.validate(as_json(path), brief_json_schema())


@pytest.mark.parametrize("change", [
    lambda b: b.update(titel="x"),
    lambda b: b.pop("date"),
    lambda b: b.update(authors=[]),
    lambda b: b.update(status="publshed"),
    lambda b: b.update(image={"file": "images/x.svg", "alt": "A"}),
    # a comparison needs both pictures, each with its date and credit
    lambda b: b.update(figures={"x": {"alt": "A", "before": {"file": "a.jpg", "date": "2024-01-01", "credit": "C"}}}),
    lambda b: b.update(figures={"x": {"alt": "A", "before": {"file": "a.jpg", "date": "2024-01-01", "credit": "C"},
                                      "after": {"file": "b.jpg", "credit": "C"}}}),
])
def test_schema_rejects_invalid_briefs(change):
    brief = as_json(SAMPLES[0])
    change(brief)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(brief, brief_json_schema())
