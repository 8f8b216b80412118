"""environment.yml (conda) and requirements.txt (pip) pin the same packages at the same versions."""

from __future__ import annotations

import re
from importlib.metadata import version

import yaml

from critmin import paths


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"not an exact pin: {line!r}"
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def requirements():
    return _pins((paths.ROOT / "requirements.txt").read_text().splitlines())


def conda_pip_section():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    pip = [d for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip) == 1, "environment.yml needs one pip: section"
    return _pins(pip[0]["pip"])


def test_conda_and_pip_pins_agree():
    assert conda_pip_section() == requirements()


def test_installed_versions_match_the_pins():
    for name, pinned in requirements().items():
        assert version(name) == pinned, f"{name}: installed {version(name)}, pinned {pinned}"
