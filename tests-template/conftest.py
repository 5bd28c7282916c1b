"""Fixtures shared by the template tests: the parsed template and its parts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cfn  # noqa: E402


@pytest.fixture(scope="session")
def template() -> dict:
    return cfn.load_template()


@pytest.fixture(scope="session")
def resources(template) -> dict:
    return template["Resources"]


@pytest.fixture(scope="session")
def functions(template) -> dict:
    """SAM functions: logical id -> (resource, effective properties with Globals merged)."""
    return cfn.sam_functions(template)


@pytest.fixture(scope="session")
def routes(functions) -> dict:
    """Logical function id -> {route key: event properties}."""
    out: dict[str, dict] = {}
    for logical_id, (_res, props) in functions.items():
        for _name, event in (props.get("Events") or {}).items():
            if event.get("Type") != "HttpApi":
                continue
            p = event["Properties"]
            out.setdefault(logical_id, {})[f"{p['Method'].upper()} {p['Path']}"] = p
    return out


@pytest.fixture(scope="session")
def http_api(resources) -> dict:
    apis = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::HttpApi"}
    assert list(apis) == ["HttpApi"], "exactly one AWS::Serverless::HttpApi named HttpApi"
    return apis["HttpApi"]["Properties"]


@pytest.fixture(scope="session")
def distribution(resources) -> dict:
    dists = cfn.of_type(resources, "AWS::CloudFront::Distribution")
    assert list(dists) == ["Distribution"], "exactly one CloudFront distribution named Distribution"
    return dists["Distribution"]["Properties"]["DistributionConfig"]
