"""Reading template.yaml the way CloudFormation and SAM see it, for the
template tests (no AWS, no build).

The template is read with a YAML loader that understands the CloudFormation
short tags (!Ref, !Sub, !GetAtt, ...) and turns them into their long form
({"Ref": ...}, {"Fn::Sub": ...}, ...). SAM Globals are merged into each
function the way the SAM translator does it (maps merged, local wins;
Architectures replaced).
"""

from __future__ import annotations

import copy
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "infra" / "local"))
import cfn_template  # noqa: E402 - the one template loader (infra/local/cfn_template.py)

# TEMPLATE (as in infra/local/test.sh) points the tests at another template.
TEMPLATE_PATH = Path(os.environ.get("TEMPLATE") or ROOT / "template.yaml")
SAMCONFIG_PATH = ROOT / "samconfig.toml"
FUNCTIONS_DIR = ROOT / "functions"
SPA_RS_PATH = ROOT / "infra" / "gateway" / "src" / "spa.rs"
WAF_TEMPLATE_PATH = ROOT / "infra" / "deploy" / "waf.yaml"
WORKFLOWS_DIR = ROOT / ".github" / "workflows"
DEPLOY_SH = ROOT / "infra" / "deploy" / "deploy.sh"

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def load_yaml(path: Path) -> dict:
    return cfn_template.load(path)


def load_template() -> dict:
    return load_yaml(TEMPLATE_PATH)


def merge_globals(global_value, local_value, path: str):
    """SAM Globals merge: dicts deep-merged (local wins), lists concatenated,
    scalars replaced; Function.Architectures is replaced."""
    if path == "Architectures":
        return copy.deepcopy(local_value)
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        merged = copy.deepcopy(global_value)
        for key, value in local_value.items():
            if key in merged:
                merged[key] = merge_globals(merged[key], value, f"{path}.{key}")
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        return copy.deepcopy(global_value) + copy.deepcopy(local_value)
    return copy.deepcopy(local_value)


def sam_functions(template: dict) -> dict:
    """Logical id -> (resource, effective properties with Globals merged)."""
    globals_fn = template.get("Globals", {}).get("Function", {})
    out = {}
    for logical_id, res in template["Resources"].items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        props = copy.deepcopy(globals_fn)
        for key, value in res.get("Properties", {}).items():
            props[key] = merge_globals(props[key], value, key) if key in props else copy.deepcopy(value)
        out[logical_id] = (res, props)
    return out


def function_ids(template: dict) -> list[str]:
    """Every Lambda function of the stack (SAM or plain), sorted."""
    return sorted(k for k, v in template["Resources"].items() if v.get("Type") in FUNCTION_TYPES)


def of_type(resources: dict, res_type: str) -> dict:
    return {k: v for k, v in resources.items() if v.get("Type") == res_type}


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def sub_text(value) -> str:
    """The template string of a {"Fn::Sub": ...} (either form)."""
    sub = value["Fn::Sub"]
    return sub if isinstance(sub, str) else sub[0]


def fill_sub(text: str, fill: str = "X") -> str:
    """Replace every ${...} of a Fn::Sub string with `fill`."""
    return re.sub(r"\$\{[^}]+\}", fill, text)


def spa_security_headers() -> dict[str, str]:
    """SECURITY_HEADERS of infra/gateway/src/spa.rs, parsed from the Rust source:
    {lower-case header name: value}."""
    source = SPA_RS_PATH.read_text(encoding="utf-8")
    match = re.search(r"pub const SECURITY_HEADERS: &\[\(&str, &str\)\] = &\[(.*?)\n\];", source, re.S)
    assert match, f"SECURITY_HEADERS not found in {SPA_RS_PATH}"
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
    assert strings and len(strings) % 2 == 0, "SECURITY_HEADERS must be (name, value) string pairs"
    pairs = {}
    for name, value in zip(strings[::2], strings[1::2]):
        assert "\\" not in value, f"escapes are not expected in {name}"
        pairs[name.lower()] = value
    return pairs
