"""Property-based robustness: random YAML and random damage to the real content.

Whatever a clinic's editor does to a file, loading must either succeed or
raise the project's own error type with a file and line: never a KeyError,
a TypeError or a PyYAML exception.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoutkit.errors import ContentErrors, HandoutError
from handoutkit.content.load import load_project

from conftest import SOURCE, TOPIC

TARGETS = [
    "brand.yaml",
    f"{TOPIC}/topic.yaml",
    f"{TOPIC}/handouts.yaml",
    f"{TOPIC}/sections/exercises.yaml",
    f"{TOPIC}/sections/red-flags.yaml",
    f"{TOPIC}/sections/lifestyle.yaml",
    f"{TOPIC}/sections/causes.yaml",
]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False),
                    st.text(max_size=40), st.dates().map(str), st.sampled_from(["no", "yes", "on", "1:30", "#1B4F72",
                                                                                 "{clinic_phone}", "**", "~", "all"]))
keys = st.one_of(st.sampled_from(["title", "kind", "blocks", "summary", "exercises", "groups", "steps", "dose",
                                  "sets", "reps", "layout", "sections", "colors", "paper", "id", "image", "short"]),
                 st.text(max_size=12))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                          st.dictionaries(keys, inner, max_size=6)), max_leaves=25)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "handouts"
    shutil.copytree(SOURCE, root)
    return root


def check_loads_or_fails_cleanly(root: Path, target: Path) -> None:
    try:
        load_project(root)
    except ContentErrors as err:
        assert err.errors
        for item in err.errors:
            assert item.where.file, item.message
            if item.where.file.endswith(target.name):
                assert item.where.line >= 1, f"no line number: {item.message}"
            assert re.match(r"^\S+\.yaml(:\d+)*: ", item.message), item.message
    except HandoutError as err:  # folder-level problems (e.g. topic.yaml unreadable) are still ours
        assert str(root) in err.message or "topic" in err.message, err.message


def restoring(root: Path, name: str, text: str):
    target = root / name
    original = (SOURCE / name).read_bytes()
    target.write_text(text, encoding="utf-8")
    try:
        check_loads_or_fails_cleanly(root, target)
    finally:
        target.write_bytes(original)


@FUZZ
@given(name=st.sampled_from(TARGETS), document=documents)
def test_random_yaml_documents(workdir, name, document):
    restoring(workdir, name, yaml.safe_dump(document, allow_unicode=True))


@FUZZ
@given(name=st.sampled_from(TARGETS), text=st.text(max_size=300))
def test_random_text(workdir, name, text):
    restoring(workdir, name, text)


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(TARGETS))
    lines = (SOURCE / name).read_text(encoding="utf-8").splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "insert", "truncate", "swap"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i].lstrip()
        elif action == "insert":
            position = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:position] + draw(st.text(min_size=1, max_size=6)) + lines[i][position:]
        elif action == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return name, "".join(lines)


@FUZZ
@given(case=mutated())
def test_mutations_of_the_real_content(workdir, case):
    name, text = case
    restoring(workdir, name, text)
