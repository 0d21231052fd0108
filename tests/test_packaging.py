"""Packaging: one version (Cargo workspace) above upstream's last release; bounded dependency ranges."""

from __future__ import annotations

import re

import tomllib

import geniml
from tests.conftest import ROOT


def _version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])


def test_version_comes_from_cargo_and_is_above_upstream():
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]
    assert geniml.__version__ == cargo
    assert _version_tuple(cargo) > (0, 8, 4)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" in project["dynamic"] and "version" not in project


def test_core_dependencies_have_both_ends():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for d in deps:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+>=[0-9.]+,<[0-9.]+", d), d
    typer = next(d for d in deps if d.startswith("typer"))
    low = _version_tuple(typer.split(">=")[1].split(",")[0])
    assert low >= (0, 16)  # 0.12.0 crashes every command, 0.12.5 prints the version for each
