"""The table as template.yaml declares it, and the `create` command.

The emulator's table is created from the template's AWS::DynamoDB::Table
resource, so there is no second, hand-written copy of the schema to drift away
from what CloudFormation deploys. The template itself is read by the shared
loader (cfn_template.py); this module picks the table resource out of it, keeps
only what CreateTable needs, and refuses intrinsics it cannot resolve instead
of creating a table that differs from the deployed one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cfn_template  # the one template loader, beside this file
from table_access import EXIT_OK, ToolError, describe_table, log, make_client, where


def load_template(path: Path) -> dict:
    try:
        return cfn_template.load(path)
    except cfn_template.TemplateError as exc:
        raise ToolError(str(exc)) from None


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and (
        "Ref" in value or next(iter(value)).startswith("Fn::")
    )


def _contains_intrinsic(value: Any) -> bool:
    if _is_intrinsic(value):
        return True
    if isinstance(value, dict):
        return any(_contains_intrinsic(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_intrinsic(v) for v in value)
    return False


def find_table_resource(template: dict, logical_id: str | None) -> tuple[str, dict]:
    resources = template.get("Resources") or {}
    tables = {
        name: res
        for name, res in resources.items()
        if isinstance(res, dict) and res.get("Type") == "AWS::DynamoDB::Table"
    }
    if logical_id:
        if logical_id not in tables:
            raise ToolError(
                f"no AWS::DynamoDB::Table resource named {logical_id!r} in the template "
                f"(tables: {', '.join(sorted(tables)) or 'none'})"
            )
        return logical_id, tables[logical_id]
    if "Table" in tables:
        return "Table", tables["Table"]
    if len(tables) == 1:
        return next(iter(tables.items()))
    raise ToolError(
        "cannot pick the table resource: expected one named 'Table' or exactly one "
        f"AWS::DynamoDB::Table (found: {', '.join(sorted(tables)) or 'none'}); use --resource"
    )


# CreateTable fields taken from the CloudFormation resource. Everything else
# (PointInTimeRecoverySpecification, SSESpecification, DeletionProtectionEnabled,
# Tags, TableName, ...) is deliberately ignored: the emulator does not need it,
# and in AWS it is CloudFormation's job.
_GSI_FIELDS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")
_LSI_FIELDS = ("IndexName", "KeySchema", "Projection")


def _need_literal(name: str, value: Any) -> Any:
    if _contains_intrinsic(value):
        raise ToolError(
            f"table property {name} uses a CloudFormation intrinsic function, which this "
            "tool cannot resolve; write it as a literal value in the template"
        )
    return value


def table_spec_from_template(template: dict, logical_id: str | None = None) -> dict:
    """Return {'create': CreateTable kwargs without TableName, 'ttl': spec or None}."""
    name, resource = find_table_resource(template, logical_id)
    props = resource.get("Properties") or {}
    create: dict[str, Any] = {}
    for key in ("AttributeDefinitions", "KeySchema"):
        if key not in props:
            raise ToolError(f"resource {name} has no {key}")
        create[key] = _need_literal(key, props[key])
    billing = _need_literal("BillingMode", props.get("BillingMode", "PROVISIONED"))
    create["BillingMode"] = billing
    if billing == "PROVISIONED":
        create["ProvisionedThroughput"] = _need_literal(
            "ProvisionedThroughput",
            props.get("ProvisionedThroughput") or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        )
    if props.get("GlobalSecondaryIndexes"):
        gsis = _need_literal("GlobalSecondaryIndexes", props["GlobalSecondaryIndexes"])
        create["GlobalSecondaryIndexes"] = [
            {k: gsi[k] for k in _GSI_FIELDS if k in gsi and (k != "ProvisionedThroughput" or billing == "PROVISIONED")}
            for gsi in gsis
        ]
    if props.get("LocalSecondaryIndexes"):
        lsis = _need_literal("LocalSecondaryIndexes", props["LocalSecondaryIndexes"])
        create["LocalSecondaryIndexes"] = [{k: lsi[k] for k in _LSI_FIELDS if k in lsi} for lsi in lsis]
    ttl = None
    if props.get("TimeToLiveSpecification"):
        ttl = _need_literal("TimeToLiveSpecification", props["TimeToLiveSpecification"])
        enabled = ttl.get("Enabled", True)
        if isinstance(enabled, str):
            enabled = enabled.lower() == "true"
        ttl = {"AttributeName": ttl["AttributeName"], "Enabled": bool(enabled)}
    return {"resource": name, "create": create, "ttl": ttl}


def _schema_drift(existing: dict, create: dict) -> list[str]:
    problems = []
    if existing.get("KeySchema") != create["KeySchema"]:
        problems.append(f"KeySchema is {existing.get('KeySchema')}, template says {create['KeySchema']}")
    have = sorted(g["IndexName"] for g in existing.get("GlobalSecondaryIndexes") or [])
    want = sorted(g["IndexName"] for g in create.get("GlobalSecondaryIndexes") or [])
    if have != want:
        problems.append(f"global secondary indexes are {have}, template says {want}")
    return problems


def cmd_create(args) -> int:
    spec = table_spec_from_template(load_template(Path(args.template)), args.resource)
    client = make_client(args.endpoint, args.region)
    existing = describe_table(client, args.table)
    if existing is not None:
        if not args.if_missing:
            raise ToolError(f"table {args.table} already exists at {where(args)} (use --if-missing to accept that)")
        for problem in _schema_drift(existing, spec["create"]):
            log(f"warning: existing table {args.table} differs from the template: {problem}")
        log(f"table {args.table} already exists at {where(args)}")
        print("status=exists")
        return EXIT_OK
    client.create_table(TableName=args.table, **spec["create"])
    client.get_waiter("table_exists").wait(TableName=args.table, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    if spec["ttl"]:
        client.update_time_to_live(TableName=args.table, TimeToLiveSpecification=spec["ttl"])
    gsis = ", ".join(g["IndexName"] for g in spec["create"].get("GlobalSecondaryIndexes", [])) or "none"
    ttl = spec["ttl"]["AttributeName"] if spec["ttl"] and spec["ttl"]["Enabled"] else "off"
    log(
        f"created table {args.table} at {where(args)} from {args.template} resource {spec['resource']} "
        f"(keys {[k['AttributeName'] for k in spec['create']['KeySchema']]}, GSIs {gsis}, "
        f"TTL {ttl}, {spec['create']['BillingMode']})"
    )
    print("status=created")
    return EXIT_OK
