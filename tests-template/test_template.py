"""Static checks of the SAM template (template.yaml), samconfig.toml and the
Lambda test events under functions/*/events/: shape, functions, routes, IAM,
data. The edge (CloudFront, S3, WAF) is checked in test_edge.py, operations
(alarms, backups, email, dashboard) in test_operations.py, the deploy script
and the GitHub workflows in test_delivery.py.

Nothing here talks to AWS or builds anything:

    python -m pip install -r tests-template/requirements.txt
    python -m pytest tests-template
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import cfn
from cfn import FUNCTIONS_DIR, ROOT, SAMCONFIG_PATH, TEMPLATE_PATH

# Every Lambda function of the stack (discovered, so new ones are covered).
ALL_FUNCTIONS = cfn.function_ids(cfn.load_template())
# Functions that are not API routes: the API's Lambda authorizer.
NON_ROUTE_FUNCTIONS = {"OriginVerifyFunction"}

# The contract: which function serves which route. Changing a route means
# changing this table, the template and the event files together.
EXPECTED_ROUTES = {
    "AuthFunction": {
        "POST /api/auth/otp",
        "POST /api/auth/register",
        "POST /api/auth/login",
        "POST /api/auth/refresh",
        "POST /api/auth/logout",
        "POST /api/auth/logout-all",
        "GET /api/auth/me",
        "PATCH /api/auth/me",
        "POST /api/auth/password-reset",
        "POST /api/auth/password-reset/confirm",
        "POST /api/auth/password",
        "POST /api/auth/email",
        "POST /api/auth/email/confirm",
        "POST /api/account/deletion-code",
        "DELETE /api/account",
        "GET /api/account/export",
    },
    "UsersFunction": {"GET /api/users/search", "GET /api/users/{id}", "GET /api/users/{id}/posts"},
    "ConnectionsFunction": {
        "POST /api/connections/requests",
        "GET /api/connections/requests",
        "POST /api/connections/requests/{user_id}/accept",
        "DELETE /api/connections/requests/{user_id}",
        "GET /api/connections",
        "DELETE /api/connections/{user_id}",
        "PUT /api/connections/{user_id}/tags",
        "POST /api/blocks",
        "GET /api/blocks",
        "DELETE /api/blocks/{user_id}",
        "POST /api/invitations",
        "GET /api/invitations",
        "DELETE /api/invitations/{id}",
        "GET /api/invitations/opt-out",
        "POST /api/invitations/opt-out",
    },
    "TagsFunction": {"GET /api/tags", "POST /api/tags", "PATCH /api/tags/{id}", "DELETE /api/tags/{id}"},
    "PostsFunction": {
        "POST /api/posts",
        "GET /api/posts/mine",
        "GET /api/posts/{id}",
        "PATCH /api/posts/{id}",
        "DELETE /api/posts/{id}",
        "GET /api/posts/{id}/audience",
        "GET /api/posts/{id}/comments",
        "POST /api/posts/{id}/comments",
        "PATCH /api/posts/{id}/comments/{comment_id}",
        "DELETE /api/posts/{id}/comments/{comment_id}",
        "PUT /api/posts/{id}/reaction",
        "DELETE /api/posts/{id}/reaction",
        "GET /api/posts/{id}/reactions",
    },
    "FeedFunction": {"GET /api/feed"},
    "NotificationsFunction": {
        "GET /api/notifications",
        "GET /api/notifications/unread",
        "POST /api/notifications/read",
        "GET /api/account/email-settings",
        "PUT /api/account/email-settings",
        "GET /api/unsubscribe",
        "POST /api/unsubscribe",
    },
    "ModerationFunction": {
        "POST /api/reports",
        "GET /api/moderation/reports",
        "POST /api/moderation/reports/{id}/dismiss",
        "DELETE /api/moderation/posts/{id}",
        "DELETE /api/moderation/posts/{post_id}/comments/{id}",
        "POST /api/moderation/users/{id}/suspend",
        "POST /api/moderation/users/{id}/unsuspend",
    },
    "HealthFunction": {"GET /api/health", "GET /api/openapi.json"},
}
EXPECTED_BINARY = {
    "AuthFunction": "auth",
    "UsersFunction": "users",
    "ConnectionsFunction": "connections",
    "TagsFunction": "tags",
    "PostsFunction": "posts",
    "FeedFunction": "feed",
    "NotificationsFunction": "notifications",
    "ModerationFunction": "moderation",
    "HealthFunction": "health",
}
# From `make bench` (docs/architecture.md, "Sizing"): CPU decides, not memory.
EXPECTED_MEMORY = {
    "AuthFunction": 1024,
    "UsersFunction": 512,
    "ConnectionsFunction": 512,
    "TagsFunction": 512,
    "PostsFunction": 512,
    "FeedFunction": 512,
    "NotificationsFunction": 512,
    "ModerationFunction": 512,
    "HealthFunction": 256,
}
# Functions that read the signing secret (every one that authenticates callers).
SECRET_READERS = {
    "AuthFunction",
    "UsersFunction",
    "ConnectionsFunction",
    "TagsFunction",
    "PostsFunction",
    "FeedFunction",
    "NotificationsFunction",
    "ModerationFunction",
}

# Least privilege, per function: the exact DynamoDB actions allowed.
EXPECTED_DYNAMODB_ACTIONS = {
    "AuthFunction": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        # TransactWriteItems is authorised per item as Put/Update/Delete/ConditionCheckItem;
        # "dynamodb:TransactWriteItems" is not an IAM action.
        "dynamodb:ConditionCheckItem",
    },
    # Read-only functions update nothing but their callers' per-client
    # counters (CountClientCalls, conditioned on RATE#client#*).
    "UsersFunction": {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:UpdateItem",
    },
    "ConnectionsFunction": {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
    },
    "TagsFunction": {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
    },
    "PostsFunction": {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
    },
    "FeedFunction": {"dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"},
    # Writes nothing but read marks, email settings and client counters,
    # and deletes stale unread notifications of the caller's.
    "NotificationsFunction": {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:UpdateItem",
        "dynamodb:BatchWriteItem",
    },
    # Files and closes reports, writes the audit, removes content (with
    # what goes with it) and suspends accounts.
    "ModerationFunction": {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
    },
    "HealthFunction": set(),
    "OriginVerifyFunction": set(),
}
# Functions whose DynamoDB statements may name GSI ARNs.
INDEX_ACCESS_ALLOWED: set[str] = {
    # Exporting and deleting an account find its posts, comments and
    # reactions on GSI1.
    "AuthFunction",
    "UsersFunction",
    "ConnectionsFunction",
    "PostsFunction",
    "NotificationsFunction",
    # The moderation desk's queues.
    "ModerationFunction",
}

# Global backstop floor: API Gateway throttling never below this.
MIN_RATE = 20
MIN_BURST = 40

CLOUDWATCH_RETENTION_DAYS = {
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
}

REQUIRED_ENV = {
    "TABLE_NAME",
    "MAX_CONNECTIONS",
    "APP_SECRET_ARN",
    "SENDER_EMAIL",
    "ACCESS_TOKEN_TTL_SECONDS",
    "REFRESH_TOKEN_TTL_DAYS",
    "RUST_LOG",
    "CLIENT_IP_SOURCE",
}

# Top-level keys of an API Gateway HTTP API payload format 2.0 event.
EVENT_KEYS = {
    "version",
    "routeKey",
    "rawPath",
    "rawQueryString",
    "cookies",
    "headers",
    "queryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
}


# --------------------------------------------------------------------------
# Helpers (loading and the fixtures live in cfn.py and conftest.py)
# --------------------------------------------------------------------------


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _statements(functions) -> list[tuple[str, dict]]:
    """(owner, statement) for every inline statement in the template."""
    out = []
    for logical_id, (_res, props) in functions.items():
        for policy in props.get("Policies") or []:
            if isinstance(policy, dict) and "Statement" in policy:
                for st in _as_list(policy["Statement"]):
                    out.append((logical_id, st))
    return out


def _iam_resource_statements(resources) -> list[tuple[str, dict]]:
    out = []
    for logical_id, res in resources.items():
        t = res["Type"]
        props = res.get("Properties", {})
        docs = []
        if t == "AWS::IAM::Role":
            docs = [p["PolicyDocument"] for p in props.get("Policies", [])]
        elif t in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"):
            docs = [props["PolicyDocument"]]
        for doc in docs:
            for st in _as_list(doc["Statement"]):
                out.append((logical_id, st))
    return out


def _all_statements(functions, resources):
    return _statements(functions) + _iam_resource_statements(resources)


# --------------------------------------------------------------------------
# Shape
# --------------------------------------------------------------------------


def test_template_is_sam(template):
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Transform"] == "AWS::Serverless-2016-10-31"


def test_expected_logical_ids(resources):
    for logical_id, res_type in {
        "Table": "AWS::DynamoDB::Table",
        "AppSecret": "AWS::SecretsManager::Secret",
        "HttpApi": "AWS::Serverless::HttpApi",
        "HttpApiAccessLogGroup": "AWS::Logs::LogGroup",
        "AuthFunction": "AWS::Serverless::Function",
        "AuthFunctionLogGroup": "AWS::Logs::LogGroup",
        "UsersFunction": "AWS::Serverless::Function",
        "UsersFunctionLogGroup": "AWS::Logs::LogGroup",
        "HealthFunction": "AWS::Serverless::Function",
        "HealthFunctionLogGroup": "AWS::Logs::LogGroup",
        "OriginVerifyFunction": "AWS::Serverless::Function",
        "OriginVerifyFunctionLogGroup": "AWS::Logs::LogGroup",
        "OriginVerifySecret": "AWS::SecretsManager::Secret",
        "SpaBucket": "AWS::S3::Bucket",
        "LogBucket": "AWS::S3::Bucket",
        "Distribution": "AWS::CloudFront::Distribution",
        "BackupVault": "AWS::Backup::BackupVault",
        "EmailConfigurationSet": "AWS::SES::ConfigurationSet",
        "AlarmTopic": "AWS::SNS::Topic",
        "TopicKey": "AWS::KMS::Key",
        "Dashboard": "AWS::CloudWatch::Dashboard",
    }.items():
        assert resources[logical_id]["Type"] == res_type, logical_id


def test_parameters(template):
    params = template["Parameters"]
    assert params["Stage"]["AllowedValues"] == ["dev", "prod"]
    assert params["Stage"]["Default"] == "dev"
    assert "@" in params["SenderEmail"]["Default"]
    assert re.fullmatch(params["SenderEmail"]["AllowedPattern"], params["SenderEmail"]["Default"])
    assert params["CorsAllowedOrigins"]["Type"] == "CommaDelimitedList"
    assert params["CorsAllowedOrigins"]["Default"] == "https://localhost"
    assert params["MaxConnections"]["Type"] == "Number"
    assert int(params["MaxConnections"]["Default"]) == 100
    assert params["LogRetentionDays"]["Type"] == "Number"
    assert int(params["LogRetentionDays"]["Default"]) == 30
    assert {int(v) for v in params["LogRetentionDays"]["AllowedValues"]} <= CLOUDWATCH_RETENTION_DAYS
    assert params["TableDeletionProtection"]["AllowedValues"] == ["true", "false"]
    assert params["TableDeletionProtection"]["Default"] == "true"
    assert int(params["AccessTokenTtlSeconds"]["Default"]) == 900
    assert int(params["RefreshTokenTtlDays"]["Default"]) == 30


def test_outputs(template):
    outputs = template["Outputs"]
    assert set(outputs) >= {
        "ApiUrl",
        "TableName",
        "AppSecretArn",
        "AppUrl",
        "DistributionDomainName",
        "DistributionId",
        "SpaBucketName",
        "LogBucketName",
        "AlarmTopicArn",
        "BackupVaultName",
    }
    assert outputs["DistributionDomainName"]["Value"] == {"Fn::GetAtt": ["Distribution", "DomainName"]}
    assert outputs["DistributionId"]["Value"] == {"Ref": "Distribution"}
    assert outputs["SpaBucketName"]["Value"] == {"Ref": "SpaBucket"}
    assert outputs["TableName"]["Value"] == {"Ref": "Table"}
    assert outputs["AppSecretArn"]["Value"] == {"Ref": "AppSecret"}
    assert "${HttpApi}" in outputs["ApiUrl"]["Value"]["Fn::Sub"]


# --------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------


def test_functions_are_exactly_the_expected_ones(functions):
    assert set(functions) == set(EXPECTED_ROUTES) | NON_ROUTE_FUNCTIONS
    assert ALL_FUNCTIONS == sorted(functions), "every function is a SAM function"


@pytest.mark.parametrize("logical_id", sorted(EXPECTED_ROUTES))
def test_function_runtime_and_build(functions, logical_id):
    res, props = functions[logical_id]
    assert props["Runtime"] == "provided.al2023"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == "bootstrap"
    assert props["Tracing"] == "Active"
    assert props["CodeUri"] == "."
    assert props["MemorySize"] == EXPECTED_MEMORY[logical_id]
    assert 1 <= props["Timeout"] <= 29, "must finish within API Gateway's 30 s limit"
    assert res["Metadata"]["BuildMethod"] == "rust-cargolambda"
    assert res["Metadata"]["BuildProperties"]["Binary"] == EXPECTED_BINARY[logical_id]


@pytest.mark.parametrize("logical_id", [f for f in ALL_FUNCTIONS if f not in NON_ROUTE_FUNCTIONS])
def test_function_environment(functions, logical_id):
    env = functions[logical_id][1]["Environment"]["Variables"]
    assert REQUIRED_ENV <= set(env)
    assert env["TABLE_NAME"] == {"Ref": "Table"}
    assert env["APP_SECRET_ARN"] == {"Ref": "AppSecret"}
    assert env["SENDER_EMAIL"] == {"Ref": "SenderEmail"}
    assert env["MAX_CONNECTIONS"] == {"Ref": "MaxConnections"}
    assert env["ACCESS_TOKEN_TTL_SECONDS"] == {"Ref": "AccessTokenTtlSeconds"}
    assert env["REFRESH_TOKEN_TTL_DAYS"] == {"Ref": "RefreshTokenTtlDays"}
    assert env["RUST_LOG"] == "info"
    # Behind CloudFront the client address is CloudFront-Viewer-Address (which
    # CloudFront sets; the origin check keeps everyone else out).
    assert env["CLIENT_IP_SOURCE"] == "cloudfront"
    assert env["SES_CONFIGURATION_SET"] == {"Ref": "EmailConfigurationSet"}
    # Development switches stay off in AWS.
    assert "EXPOSE_METRICS" not in env, "X-DynamoDB-Requests is for the local stack only"
    assert "LOG_FORMAT" not in env, "JSON logs (the default) in AWS"
    assert "APP_SECRET" not in env, "the secret is read from Secrets Manager, never put in the environment"


def test_auth_returns_argon2_memory_to_the_os(functions):
    """argon2's 19 MiB blocks must not pile up in glibc heap arenas (measured:
    220 MiB resident after 20 sign-ins without a fixed mmap threshold)."""
    env = functions["AuthFunction"][1]["Environment"]["Variables"]
    assert env["MALLOC_MMAP_THRESHOLD_"] == "131072"
    assert env["TABLE_NAME"] == {"Ref": "Table"}, "the Globals' variables still apply"


@pytest.mark.parametrize("logical_id", ALL_FUNCTIONS)
def test_function_is_traced_on_arm64(functions, logical_id):
    props = functions[logical_id][1]
    assert props["Tracing"] == "Active", "X-Ray on every function"
    assert props["Architectures"] == ["arm64"]
    assert 1 <= props["Timeout"] <= 29


@pytest.mark.parametrize("logical_id", ALL_FUNCTIONS)
def test_function_has_its_own_log_group_with_retention(functions, resources, logical_id):
    _res, props = functions[logical_id]
    logging = props["LoggingConfig"]
    assert logging["LogFormat"] == "JSON"
    ref = logging["LogGroup"]
    assert set(ref) == {"Ref"}, "LoggingConfig.LogGroup must !Ref a log group of this stack"
    group = resources[ref["Ref"]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in group["Properties"]
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    # Named /aws/lambda/<function name>, so Lambda's own default would match too.
    fn_name = props["FunctionName"]["Fn::Sub"]
    assert group["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/{fn_name}"}


def test_each_log_group_serves_one_function(functions):
    used = [props["LoggingConfig"]["LogGroup"]["Ref"] for _res, props in functions.values()]
    assert len(used) == len(set(used))


def test_every_log_group_has_retention(resources):
    groups = {k: v for k, v in resources.items() if v["Type"] == "AWS::Logs::LogGroup"}
    assert groups
    for logical_id, group in groups.items():
        assert group["Properties"].get("RetentionInDays") == {"Ref": "LogRetentionDays"}, logical_id


# --------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------


def test_routes_per_function(routes):
    assert {k: set(v) for k, v in routes.items()} == EXPECTED_ROUTES


def test_routes_are_unique(routes):
    keys = [key for per_fn in routes.values() for key in per_fn]
    assert len(keys) == len(set(keys))


# The only event that is not a route: the auth function's pass over the
# deletions whose clean-up a fault interrupted.
SCHEDULES = {("AuthFunction", "CleanUpDeletedAccounts"): "rate(15 minutes)"}


def test_the_only_schedule_is_the_deletion_clean_up(functions):
    found = {
        (logical_id, name): event["Properties"]["Schedule"]
        for logical_id, (_res, props) in functions.items()
        for name, event in (props.get("Events") or {}).items()
        if event["Type"] == "Schedule"
    }
    assert found == SCHEDULES


def test_routes_attach_to_the_http_api(functions):
    for logical_id, (_res, props) in functions.items():
        for name, event in (props.get("Events") or {}).items():
            if (logical_id, name) in SCHEDULES:
                continue
            assert event["Type"] == "HttpApi", f"{logical_id}.{name}"
            p = event["Properties"]
            assert p["ApiId"] == {"Ref": "HttpApi"}, f"{logical_id}.{name}"
            assert str(p.get("PayloadFormatVersion", "2.0")) == "2.0"
            assert p["Path"].startswith("/api/")
            assert p["Method"] == p["Method"].upper()


# --------------------------------------------------------------------------
# IAM
# --------------------------------------------------------------------------


def test_policies_are_explicit_statements(functions):
    """No SAM policy templates (DynamoDBCrudPolicy & co.) and no managed policies."""
    for logical_id, (_res, props) in functions.items():
        for policy in props.get("Policies") or []:
            assert isinstance(policy, dict) and set(policy) <= {"Version", "Statement"}, (
                f"{logical_id}: only inline policy documents are allowed, got {policy!r}"
            )
            assert policy.get("Version") == "2012-10-17"
        assert "Role" not in props, f"{logical_id}: let SAM create the role from the inline statements"


def test_health_function_has_no_policies(functions):
    assert not functions["HealthFunction"][1].get("Policies")


def test_no_pseudo_actions(functions, resources):
    """DynamoDB API names that have no IAM action of their own."""
    not_iam_actions = {"dynamodb:transactwriteitems", "dynamodb:transactgetitems"}
    for owner, st in _all_statements(functions, resources):
        for action in _as_list(st["Action"]):
            assert action.lower() not in not_iam_actions, f"{owner}: {action} is not an IAM action"


def test_no_wildcard_actions(functions, resources):
    statements = _all_statements(functions, resources)
    assert statements
    for owner, st in statements:
        assert "NotAction" not in st and "NotResource" not in st, owner
        for action in _as_list(st["Action"]):
            assert isinstance(action, str), owner
            assert action != "*", owner
            assert not action.endswith(":*"), f"{owner}: {action}"
            assert action.lower() != "dynamodb:*", owner
            assert "*" not in action, f"{owner}: no wildcard actions ({action})"


def test_no_wildcard_resources(functions, resources):
    for owner, st in _all_statements(functions, resources):
        for resource in _as_list(st["Resource"]):
            assert resource != "*", f"{owner}: Resource '*'"
            text = json.dumps(resource)
            assert not re.search(r'"\*"|:\*"|/\*"', text), f"{owner}: wildcard resource {text}"


def _table_index_names(resources) -> set[str]:
    return {g["IndexName"] for g in resources["Table"]["Properties"].get("GlobalSecondaryIndexes", [])}


def test_dynamodb_resources_are_the_table_or_its_indexes(functions, resources):
    table_arn = {"Fn::GetAtt": ["Table", "Arn"]}
    index_arns = [{"Fn::Sub": f"${{Table.Arn}}/index/{name}"} for name in _table_index_names(resources)]
    for owner, st in _all_statements(functions, resources):
        actions = _as_list(st["Action"])
        if not any(a.startswith("dynamodb:") for a in actions):
            continue
        assert all(a.startswith("dynamodb:") for a in actions), f"{owner}: keep DynamoDB statements separate"
        for resource in _as_list(st["Resource"]):
            if resource == table_arn:
                continue
            assert resource in index_arns, f"{owner}: DynamoDB resource {resource!r} is not the table or a GSI"
            assert owner in INDEX_ACCESS_ALLOWED, f"{owner} does not query indexes"


def test_dynamodb_actions_per_function(functions):
    got: dict[str, set[str]] = {k: set() for k in functions}
    for owner, st in _statements(functions):
        if st.get("Effect") != "Allow":
            continue
        got[owner] |= {a for a in _as_list(st["Action"]) if a.startswith("dynamodb:")}
    assert got == EXPECTED_DYNAMODB_ACTIONS


def test_only_the_auth_function_reaches_password_hashes(functions):
    """Every other function with table access is denied the CREDENTIALS#
    partitions, for every action it has on the table."""
    allowed: dict[str, set[str]] = {k: set() for k in functions}
    denied: dict[str, set[str]] = {k: set() for k in functions}
    for owner, st in _statements(functions):
        actions = {a for a in _as_list(st["Action"]) if a.startswith("dynamodb:")}
        if st.get("Effect") == "Allow":
            allowed[owner] |= actions
            continue
        assert st["Condition"] == {
            "ForAnyValue:StringLike": {"dynamodb:LeadingKeys": ["CREDENTIALS#*"]}
        }, owner
        assert _as_list(st["Resource"]) == [{"Fn::GetAtt": ["Table", "Arn"]}], owner
        denied[owner] |= actions
    for owner, actions in allowed.items():
        if not actions:
            continue
        if owner == "AuthFunction":
            assert not denied[owner], "the auth function signs people in"
        else:
            assert actions <= denied[owner], f"{owner} may reach credentials"


CLIENT_COUNTERS = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["RATE#client#*"]}}


def test_users_function_is_read_only(functions):
    """Read-only, but for its callers' per-client counters."""
    for owner, st in _statements(functions):
        if owner != "UsersFunction" or st.get("Effect") != "Allow":
            continue
        if st.get("Sid") == "CountClientCalls":
            assert _as_list(st["Action"]) == ["dynamodb:UpdateItem"]
            assert st["Condition"] == CLIENT_COUNTERS
            continue
        for action in _as_list(st["Action"]):
            verb = action.split(":", 1)[1]
            assert verb.startswith(("Get", "Query", "BatchGet")), action


def test_every_function_with_table_access_may_count_its_callers(functions):
    """Every call to a data route makes the per-client count (an UpdateItem
    on RATE#client#…, shared/src/http.rs), so each function with table access
    may update the table, or at least those counters, or its every call
    would fail in AWS (the local engines do not check IAM)."""
    for owner in functions:
        statements = [st for o, st in _statements(functions) if o == owner]
        allows = [st for st in statements if st.get("Effect") == "Allow"]
        on_table = [
            st
            for st in allows
            if {"Fn::GetAtt": ["Table", "Arn"]} in _as_list(st["Resource"])
        ]
        if not on_table:
            continue
        counts = [
            st
            for st in on_table
            if "dynamodb:UpdateItem" in _as_list(st["Action"])
            and st.get("Condition") in (None, CLIENT_COUNTERS)
        ]
        assert counts, f"{owner} cannot count its callers' calls"


def test_secret_access_is_the_app_secret_only(functions):
    seen = set()
    for owner, st in _statements(functions):
        actions = _as_list(st["Action"])
        if not any(a.startswith("secretsmanager:") for a in actions):
            continue
        assert actions == ["secretsmanager:GetSecretValue"], owner
        assert _as_list(st["Resource"]) == [{"Ref": "AppSecret"}], owner
        seen.add(owner)
    assert seen == SECRET_READERS


def test_ses_is_scoped_to_the_sender_identity(functions):
    seen = set()
    for owner, st in _statements(functions):
        actions = _as_list(st["Action"])
        if not any(a.startswith("ses:") for a in actions):
            continue
        seen.add(owner)
        assert actions == ["ses:SendEmail"], owner
        resources = _as_list(st["Resource"])
        assert resources
        configuration_set = {
            "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
            ":configuration-set/${EmailConfigurationSet}"
        }
        # sending through the stack's configuration set is authorised on it too
        assert configuration_set in resources
        for resource in resources:
            assert "*" not in json.dumps(resource)
            if resource == configuration_set:
                continue
            sub = resource["Fn::Sub"]
            text = sub if isinstance(sub, str) else sub[0]
            assert text.startswith("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/")
        # the email identity itself is one of them
        assert {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderEmail}"} in resources
    # codes and account notices; requests' notice emails
    assert seen == {"AuthFunction", "ConnectionsFunction", "ModerationFunction"}


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def test_table(resources):
    table = resources["Table"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    p = table["Properties"]
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    attrs = {a["AttributeName"]: a["AttributeType"] for a in p["AttributeDefinitions"]}
    assert attrs == {"PK": "S", "SK": "S", "GSI1PK": "S", "GSI1SK": "S"}
    assert p["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert len(p["GlobalSecondaryIndexes"]) == 1
    gsi = p["GlobalSecondaryIndexes"][0]
    assert gsi["IndexName"] == "GSI1"
    assert gsi["KeySchema"] == [
        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
    ]
    assert gsi["Projection"] == {"ProjectionType": "ALL"}
    assert p["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert p["SSESpecification"]["SSEEnabled"] is True
    assert p["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}
    assert "TableName" not in p, "let CloudFormation name the table; functions read TABLE_NAME"


def test_app_secret(resources):
    secret = resources["AppSecret"]
    gen = secret["Properties"]["GenerateSecretString"]
    assert gen["PasswordLength"] == 64
    assert gen["ExcludePunctuation"] is True
    assert "SecretString" not in secret["Properties"], "never a literal secret in the template"


# --------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------


def test_http_api_stage_and_cors(http_api):
    assert http_api["StageName"] == "$default"
    cors = http_api["CorsConfiguration"]
    assert cors["AllowOrigins"] == {"Ref": "CorsAllowedOrigins"}
    assert cors["AllowCredentials"] is True
    assert set(cors["AllowMethods"]) == {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert {h.lower() for h in cors["AllowHeaders"]} == {"content-type", "authorization"}


def _assert_throttle(settings: dict, where: str):
    # Route settings do not inherit the default ones: both limits must be set.
    assert "ThrottlingRateLimit" in settings and "ThrottlingBurstLimit" in settings, where
    assert settings["ThrottlingRateLimit"] >= MIN_RATE, where
    assert settings["ThrottlingBurstLimit"] >= MIN_BURST, where
    assert settings["ThrottlingBurstLimit"] >= settings["ThrottlingRateLimit"], where


def test_default_throttling(http_api):
    default = http_api["DefaultRouteSettings"]
    _assert_throttle(default, "DefaultRouteSettings")
    assert default["ThrottlingRateLimit"] == 100
    assert default["ThrottlingBurstLimit"] == 200


def test_route_settings_keys_are_declared_routes(http_api, routes):
    declared = {key for per_fn in routes.values() for key in per_fn}
    for key in http_api.get("RouteSettings", {}):
        assert key in declared, f"RouteSettings key {key!r} is not a declared route"


def test_every_route_is_throttled_at_or_above_the_floor(http_api, routes):
    route_settings = http_api.get("RouteSettings", {})
    for key, settings in route_settings.items():
        _assert_throttle(settings, key)
    for per_fn in routes.values():
        for key in per_fn:
            _assert_throttle(route_settings.get(key, http_api["DefaultRouteSettings"]), key)


def test_credential_routes_are_tighter_than_default(http_api):
    default = http_api["DefaultRouteSettings"]
    for key in (
        "POST /api/auth/otp",
        "POST /api/auth/register",
        "POST /api/auth/login",
        "POST /api/auth/password-reset",
        "POST /api/auth/password-reset/confirm",
        "POST /api/auth/password",
        "POST /api/auth/email",
        "POST /api/auth/email/confirm",
        "POST /api/account/deletion-code",
        "DELETE /api/account",
        "GET /api/account/export",
    ):
        settings = http_api["RouteSettings"][key]
        assert settings["ThrottlingRateLimit"] < default["ThrottlingRateLimit"], key
        assert settings["ThrottlingBurstLimit"] < default["ThrottlingBurstLimit"], key


def test_access_logs(http_api, resources):
    settings = http_api["AccessLogSettings"]
    dest = settings["DestinationArn"]
    assert dest == {"Fn::GetAtt": ["HttpApiAccessLogGroup", "Arn"]}
    assert resources["HttpApiAccessLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    fmt = settings["Format"]
    assert "\n" not in fmt, "one log line per request"
    # Substitute the $context variables and check the line is JSON.
    sample = fmt.replace("$context.error.messageString", '"quoted message"')
    sample = re.sub(r"\$context\.[A-Za-z0-9_.]+", "0", sample)
    record = json.loads(sample)
    assert {"requestId", "ip", "routeKey", "status", "latency", "httpMethod", "userAgent"} <= set(record)
    assert "$context.identity.sourceIp" in fmt
    assert "$context.requestId" in fmt


# --------------------------------------------------------------------------
# Event files
# --------------------------------------------------------------------------


def _event_files() -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for binary in EXPECTED_BINARY.values():
        out[binary] = sorted((FUNCTIONS_DIR / binary / "events").glob("*.json"))
    return out


def _readme_expectations(group: str) -> dict[str, int]:
    text = (FUNCTIONS_DIR / group / "events" / "README.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    header = lines.index("| file | expected status |")
    out = {}
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) == 2, line
        out[cells[0]] = int(cells[1])
    return out


@pytest.mark.parametrize("logical_id", sorted(EXPECTED_ROUTES))
def test_every_route_has_one_event_file(routes, logical_id):
    group = EXPECTED_BINARY[logical_id]
    files = _event_files()[group]
    keys = [json.loads(f.read_text(encoding="utf-8"))["routeKey"] for f in files]
    assert sorted(keys) == sorted(routes[logical_id]), group


def test_event_files_are_http_api_v2_events():
    files = [f for per in _event_files().values() for f in per]
    assert files
    for f in files:
        ev = json.loads(f.read_text(encoding="utf-8"))
        assert set(ev) <= EVENT_KEYS, f"{f}: unexpected top-level keys {set(ev) - EVENT_KEYS}"
        assert ev["version"] == "2.0", f
        method, path = ev["routeKey"].split(" ", 1)
        # A parameterised route's event carries a concrete path and its parameters.
        pattern = re.sub(r"\\{[^}/]+\\}", "[^/]+", re.escape(path))
        assert re.fullmatch(pattern, ev["rawPath"]), f
        for name in re.findall(r"\{([^}/]+)\}", path):
            assert ev.get("pathParameters", {}).get(name), f"{f}: pathParameters.{name}"
        assert isinstance(ev["rawQueryString"], str), f
        ctx = ev["requestContext"]
        assert ctx["routeKey"] == ev["routeKey"], f
        assert ctx["stage"] == "$default", f
        assert ctx["http"]["method"] == method, f
        assert ctx["http"]["path"] == ev["rawPath"], f
        for key in ("accountId", "apiId", "domainName", "requestId", "time", "timeEpoch"):
            assert key in ctx, f"{f}: requestContext.{key}"
        for key in ("protocol", "sourceIp", "userAgent"):
            assert key in ctx["http"], f"{f}: requestContext.http.{key}"
        assert all(k == k.lower() for k in ev["headers"]), f"{f}: HTTP API lower-cases header names"
        assert ev["isBase64Encoded"] is False, f
        if "body" in ev:
            assert isinstance(ev["body"], str), f
            if ev["headers"]["content-type"] == "application/x-www-form-urlencoded":
                # What a mail client posts for a one-click unsubscribe (RFC 8058).
                assert ev["body"] == "List-Unsubscribe=One-Click", f
            else:
                json.loads(ev["body"])
                assert ev["headers"]["content-type"] == "application/json", f
            assert ev["headers"]["content-length"] == str(len(ev["body"].encode())), f
        if ev["rawQueryString"]:
            pairs = dict(p.split("=", 1) for p in ev["rawQueryString"].split("&"))
            assert ev["queryStringParameters"] == pairs, f
        assert "authorization" not in ev["headers"], f"{f}: events must be predictable without a token"
        assert "cookies" not in ev, f"{f}: events must be predictable without a session"


@pytest.mark.parametrize("group", sorted(EXPECTED_BINARY.values()))
def test_event_readme_lists_every_event_file(group):
    expected = _readme_expectations(group)
    names = {f.name for f in _event_files()[group]}
    assert set(expected) == names
    for name, status in expected.items():
        assert 200 <= status <= 599, name


# --------------------------------------------------------------------------
# samconfig.toml
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def samconfig() -> dict:
    tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
    with SAMCONFIG_PATH.open("rb") as fh:
        return tomllib.load(fh)


def test_samconfig(samconfig):
    assert samconfig["version"] == 0.1
    for env, stack, confirm in (
        ("default", "intentional-social-dev", False),
        ("dev", "intentional-social-dev", False),
        ("prod", "intentional-social-prod", True),
    ):
        deploy = samconfig[env]["deploy"]["parameters"]
        assert deploy["stack_name"] == stack, env
        assert deploy["capabilities"] == "CAPABILITY_IAM", env
        assert deploy["confirm_changeset"] is confirm, env
        assert deploy["resolve_s3"] is True, env
        assert deploy["region"], env
        assert f'Stage="{stack.rsplit("-", 1)[1]}"' in deploy["parameter_overrides"], env
        build = samconfig[env]["build"]["parameters"]
        # One cargo target dir: parallel builds would wait on its lock. SAM's
        # cache would hash the workspace root (target/ included) per function.
        assert build["parallel"] is False and build["cached"] is False, env
        assert build["beta_features"] is True, f"{env}: rust-cargolambda is a SAM CLI beta feature"
        assert samconfig[env]["validate"]["parameters"]["lint"] is True, env


# --------------------------------------------------------------------------
# checkov's skips (infra/local/checkov.sh runs it; .checkov.yaml)
# --------------------------------------------------------------------------

CHECK_ID = re.compile(r"CKV2?_AWS_[0-9]+")


def _checkov_config_skips() -> dict[str, str]:
    """{check id: the reason on its line} of .checkov.yaml's skip-check."""
    text = (ROOT / ".checkov.yaml").read_text(encoding="utf-8")
    listed = {}
    for line in text.splitlines():
        match = re.fullmatch(r"\s*-\s*(\S+)\s*(?:#\s*(.*))?", line)
        if match:
            listed[match.group(1)] = (match.group(2) or "").strip()
    # What checkov itself reads: the same ids, one per line.
    assert sorted(yaml.safe_load(text)["skip-check"]) == sorted(listed), "one check id per line"
    return listed


def test_checkov_config_skips_say_why():
    skips = _checkov_config_skips()
    assert skips
    for check, reason in skips.items():
        assert CHECK_ID.fullmatch(check), f"{check}: skip checks by id, never by severity"
        assert len(reason) > 20, f"{check}: give the reason on its line (# ...)"


def test_checkov_resource_skips_say_why(resources):
    """Skips on one resource (Metadata: checkov: skip:) name the check and
    give a reason, and never repeat a check .checkov.yaml already skips."""
    everywhere = set(_checkov_config_skips())
    found = 0
    for logical_id, res in resources.items():
        for skip in (res.get("Metadata") or {}).get("checkov", {}).get("skip", []):
            found += 1
            assert CHECK_ID.fullmatch(skip["id"]), logical_id
            assert len(skip.get("comment", "")) > 20, f"{logical_id} {skip['id']}: say why"
            assert skip["id"] not in everywhere, f"{logical_id} {skip['id']}: already skipped in .checkov.yaml"
    assert found


# --------------------------------------------------------------------------
# Linters (skipped when not installed)
# --------------------------------------------------------------------------


def test_translated_template_is_lint_clean(tmp_path, monkeypatch):
    """Lint what CloudFormation will really get: cfn-lint checks the IAM
    actions of the generated roles (W3037) only on the translated template."""
    exe = shutil.which("cfn-lint")
    if exe is None:
        pytest.skip("cfn-lint not installed")
    pytest.importorskip("samtranslator")
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    sam = yaml_parse(TEMPLATE_PATH.read_text(encoding="utf-8"))
    for res in sam["Resources"].values():
        if res["Type"] == "AWS::Serverless::Function":
            res["Properties"]["CodeUri"] = "s3://bucket/function.zip"  # local path -> packaged form

    class Policies:
        def load(self):
            return {
                "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
                "AWSXRayDaemonWriteAccess": "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
            }

    out = tmp_path / "translated.json"
    out.write_text(json.dumps(transform(sam, {}, Policies()), default=str), encoding="utf-8")
    # W2001: the local translator inlines the CorsAllowedOrigins default, so the
    # parameter looks unused here; CloudFormation's own transform keeps the Ref.
    proc = subprocess.run(
        [exe, "--ignore-checks", "W2001", "--", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_cfn_lint_is_clean():
    exe = shutil.which("cfn-lint")
    if exe is None:
        pytest.skip("cfn-lint not installed")
    proc = subprocess.run(
        [exe, str(TEMPLATE_PATH)], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr
