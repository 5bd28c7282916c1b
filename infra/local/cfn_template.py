"""Reading a CloudFormation / SAM template the way CloudFormation sees it: the
one YAML loader of every script and test (table.py through table_schema.py,
lambda-build.sh and the bench's function list through lib.sh, the template
tests, the monitoring sync).

The short-form intrinsics (!Ref, !Sub, !GetAtt, ...) become their long form
({"Ref": ...}, {"Fn::Sub": ...}, {"Fn::GetAtt": [resource, attribute]}).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class TemplateError(Exception):
    """The template is missing, not YAML, or not a mapping."""


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that accepts CloudFormation short-form intrinsic tags."""


def _construct_intrinsic(loader: CfnLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def loads(text: str, source: str = "template") -> dict:
    """Parses a template's text."""
    try:
        doc = yaml.load(text, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        raise TemplateError(f"cannot parse {source}: {exc}") from None
    if not isinstance(doc, dict):
        raise TemplateError(f"{source} is not a YAML mapping")
    return doc


def load(path: Path) -> dict:
    """Reads and parses a template file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"template not found: {path}") from None
    return loads(text, str(path))
