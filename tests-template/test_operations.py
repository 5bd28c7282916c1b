"""Operations in template.yaml: alarms (one Errors and one Throttles alarm per
function, discovered from the template), the dashboard, backups, email
events, the topics' encryption key, reserved concurrency.
"""

from __future__ import annotations

import json
import re

import pytest

import cfn

ALL_FUNCTIONS = cfn.function_ids(cfn.load_template())

# IAM action -> the DynamoDB operation (CloudWatch "Operation" dimension) it
# shows up as. ConditionCheckItem only exists inside TransactWriteItems.
IAM_TO_OPERATION = {
    "dynamodb:GetItem": "GetItem",
    "dynamodb:PutItem": "PutItem",
    "dynamodb:UpdateItem": "UpdateItem",
    "dynamodb:DeleteItem": "DeleteItem",
    "dynamodb:Query": "Query",
    "dynamodb:Scan": "Scan",
    "dynamodb:BatchGetItem": "BatchGetItem",
    "dynamodb:BatchWriteItem": "BatchWriteItem",
    "dynamodb:ConditionCheckItem": "TransactWriteItems",
}


@pytest.fixture(scope="session")
def alarms(resources) -> dict:
    found = cfn.of_type(resources, "AWS::CloudWatch::Alarm")
    assert found
    return {k: v["Properties"] for k, v in found.items()}


def _metric_stats(alarm: dict) -> list[dict]:
    """Every metric an alarm reads: [{Namespace, MetricName, Dimensions{name: value}, Stat}]."""
    out = []
    if "MetricName" in alarm:
        out.append(
            {
                "Namespace": alarm["Namespace"],
                "MetricName": alarm["MetricName"],
                "Dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
                "Stat": alarm.get("Statistic") or alarm.get("ExtendedStatistic"),
            }
        )
    for query in alarm.get("Metrics", []):
        if "MetricStat" in query:
            stat = query["MetricStat"]
            metric = stat["Metric"]
            out.append(
                {
                    "Namespace": metric["Namespace"],
                    "MetricName": metric["MetricName"],
                    "Dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])},
                    "Stat": stat["Stat"],
                }
            )
    return out


def _alarms_on(alarms, namespace, metric_name, **dimensions) -> list[str]:
    return [
        name
        for name, alarm in alarms.items()
        if any(
            m["Namespace"] == namespace
            and m["MetricName"] == metric_name
            and all(m["Dimensions"].get(k) == v for k, v in dimensions.items())
            for m in _metric_stats(alarm)
        )
    ]


# --------------------------------------------------------------------------
# Alarms
# --------------------------------------------------------------------------


def test_every_alarm_notifies_the_alarm_topic(alarms):
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm.get("TreatMissingData") == "notBreaching", f"{name}: no traffic is not an incident"
        assert alarm.get("AlarmDescription"), name
        assert "docs/runbook.md" in alarm["AlarmDescription"], f"{name}: point at the runbook"


def test_alarm_email_is_optional(template, resources):
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""
    assert template["Conditions"]["HasAlarmEmail"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}
    subs = cfn.of_type(resources, "AWS::SNS::Subscription")
    alarm_subs = [s for s in subs.values() if s["Properties"]["TopicArn"] == {"Ref": "AlarmTopic"}]
    assert len(alarm_subs) == 1
    sub = alarm_subs[0]
    assert sub["Condition"] == "HasAlarmEmail"
    assert sub["Properties"]["Protocol"] == "email"
    assert sub["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


@pytest.mark.parametrize("logical_id", ALL_FUNCTIONS)
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_each_function_has_errors_and_throttles_alarms(alarms, logical_id, metric):
    found = _alarms_on(alarms, "AWS/Lambda", metric, FunctionName={"Ref": logical_id})
    assert len(found) == 1, f"{logical_id}: one {metric} alarm (copy the pair of an existing function)"
    alarm = alarms[found[0]]
    assert alarm["Statistic"] == "Sum"
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["Threshold"] == 1


def test_api_5xx_rate_alarm(alarms):
    api = {"ApiId": {"Ref": "HttpApi"}}
    errors = _alarms_on(alarms, "AWS/ApiGateway", "5xx", **api)
    requests = _alarms_on(alarms, "AWS/ApiGateway", "Count", **api)
    both = set(errors) & set(requests)
    assert len(both) == 1, "one alarm on 5xx / Count"
    alarm = alarms[both.pop()]
    expression = [m for m in alarm["Metrics"] if m.get("ReturnData")]
    assert len(expression) == 1
    assert "/" in expression[0]["Expression"], "a rate, not a count"
    assert alarm["Threshold"] == {"Ref": "Api5xxRatePercentThreshold"}


def test_api_p99_latency_alarm(alarms):
    found = _alarms_on(alarms, "AWS/ApiGateway", "Latency", ApiId={"Ref": "HttpApi"})
    assert len(found) == 1
    alarm = alarms[found[0]]
    assert alarm["ExtendedStatistic"] == "p99"
    assert alarm["Threshold"] == {"Ref": "ApiLatencyP99ThresholdMs"}


def _table_operations(functions) -> set[str]:
    ops = set()
    for _res, props in functions.values():
        for policy in props.get("Policies") or []:
            for st in cfn.as_list(policy.get("Statement", [])):
                for action in cfn.as_list(st["Action"]):
                    if action.startswith("dynamodb:"):
                        assert action in IAM_TO_OPERATION, f"add {action} to IAM_TO_OPERATION"
                        ops.add(IAM_TO_OPERATION[action])
    return ops | {"Scan"}  # infra/local/table.py backup


@pytest.mark.parametrize("metric", ["ThrottledRequests", "SystemErrors"])
def test_dynamodb_alarms_cover_every_operation(alarms, functions, metric):
    found = _alarms_on(alarms, "AWS/DynamoDB", metric, TableName={"Ref": "Table"})
    assert len(found) == 1, f"one {metric} alarm"
    alarm = alarms[found[0]]
    covered = {m["Dimensions"].get("Operation") for m in _metric_stats(alarm)}
    missing = _table_operations(functions) - covered
    assert not missing, f"{found[0]} misses the operations {sorted(missing)}"
    assert all(m["Stat"] == "Sum" for m in _metric_stats(alarm))
    assert len(alarm["Metrics"]) <= 10, "CloudWatch allows 10 metrics per alarm"


def test_no_alarm_on_dynamodb_user_errors(alarms):
    """Failed conditions (a taken username, a lost race) are normal traffic."""
    assert not _alarms_on(alarms, "AWS/DynamoDB", "UserErrors")


def test_ses_bounce_rate_alarm(alarms):
    found = _alarms_on(alarms, "AWS/SES", "Reputation.BounceRate")
    assert len(found) == 1
    alarm = alarms[found[0]]
    assert alarm["Threshold"] <= 0.05, "SES reviews an account at 5 % bounces"
    assert alarm["ComparisonOperator"].startswith("GreaterThan")


def test_alarm_names_are_unique_per_stack(alarms):
    names = []
    for name, alarm in alarms.items():
        text = cfn.sub_text(alarm["AlarmName"])
        assert text.startswith("${AWS::StackName}-"), name
        names.append(text)
    assert len(names) == len(set(names))


# --------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dashboard_body(resources) -> str:
    return cfn.sub_text(resources["Dashboard"]["Properties"]["DashboardBody"])


def test_dashboard_is_json(dashboard_body):
    body = json.loads(cfn.fill_sub(dashboard_body))
    assert len(body["widgets"]) >= 6


def test_dashboard_names_only_existing_resources(resources, dashboard_body):
    for ref in re.findall(r"\$\{([^}]+)\}", dashboard_body):
        name = ref.split(".")[0]
        assert name.startswith("AWS::") or name in resources, f"dashboard refers to unknown {ref}"


@pytest.mark.parametrize("logical_id", ALL_FUNCTIONS)
def test_dashboard_shows_every_function(dashboard_body, logical_id):
    assert "${" + logical_id + "}" in dashboard_body, f"add {logical_id} to the dashboard's function widgets"


def test_dashboard_shows_every_alarm(alarms, dashboard_body):
    widget = next(w for w in json.loads(cfn.fill_sub(dashboard_body, "X"))["widgets"] if w["type"] == "alarm")
    assert len(widget["properties"]["alarms"]) == len(alarms)
    for name in alarms:
        assert "${" + name + ".Arn}" in dashboard_body, f"add {name} to the dashboard's alarm widget"


# --------------------------------------------------------------------------
# Data safety
# --------------------------------------------------------------------------


def test_point_in_time_recovery(resources):
    table = resources["Table"]
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain"


def test_backup_vault_is_retained(resources):
    vaults = cfn.of_type(resources, "AWS::Backup::BackupVault")
    assert set(vaults) == {"BackupVault"}
    assert vaults["BackupVault"]["DeletionPolicy"] == "Retain"
    assert vaults["BackupVault"]["UpdateReplacePolicy"] == "Retain"


def _cron_fields(expression: str) -> list[str]:
    match = re.fullmatch(r"cron\((.+)\)", expression)
    assert match, expression
    fields = match.group(1).split()
    assert len(fields) == 6, expression  # minutes hours day-of-month month day-of-week year
    return fields


def test_backup_plan_keeps_7_daily_and_4_weekly(resources):
    rules = resources["BackupPlan"]["Properties"]["BackupPlan"]["BackupPlanRule"]
    daily, weekly = [], []
    for rule in rules:
        assert rule["TargetBackupVault"] == {"Ref": "BackupVault"}, rule["RuleName"]
        _minute, _hour, day_of_month, month, day_of_week, _year = _cron_fields(rule["ScheduleExpression"])
        assert month == "*", rule["RuleName"]
        keep = rule["Lifecycle"]["DeleteAfterDays"]
        if day_of_month == "*" and day_of_week == "?":
            daily.append(keep)
        elif day_of_month == "?" and re.fullmatch(r"[A-Z]{3}|[1-7]", day_of_week):
            weekly.append(keep)
        else:
            pytest.fail(f"{rule['RuleName']}: neither daily nor weekly")
    assert daily == [7], "7 daily recovery points"
    assert weekly == [28], "4 weekly recovery points (28 days)"


def test_backup_selection_is_the_table(resources):
    selections = cfn.of_type(resources, "AWS::Backup::BackupSelection")
    assert len(selections) == 1
    props = next(iter(selections.values()))["Properties"]
    assert props["BackupPlanId"] == {"Ref": "BackupPlan"}
    selection = props["BackupSelection"]
    assert selection["Resources"] == [{"Fn::GetAtt": ["Table", "Arn"]}]
    assert selection["IamRoleArn"] == {"Fn::GetAtt": ["BackupRole", "Arn"]}
    role = resources["BackupRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}
    assert "Policies" not in role, "AWS Backup's own service-role policies only"


# --------------------------------------------------------------------------
# Email
# --------------------------------------------------------------------------


def test_bounces_and_complaints_go_to_sns(resources):
    destinations = cfn.of_type(resources, "AWS::SES::ConfigurationSetEventDestination")
    assert len(destinations) == 1
    props = next(iter(destinations.values()))["Properties"]
    assert props["ConfigurationSetName"] == {"Ref": "EmailConfigurationSet"}
    dest = props["EventDestination"]
    assert dest["Enabled"] is True
    assert {"bounce", "complaint"} <= set(dest["MatchingEventTypes"])
    assert dest["SnsDestination"]["TopicARN"] == {"Ref": "EmailEventsTopic"}
    config = resources["EmailConfigurationSet"]["Properties"]
    assert config["ReputationOptions"]["ReputationMetricsEnabled"] is True
    assert set(config["SuppressionOptions"]["SuppressedReasons"]) == {"BOUNCE", "COMPLAINT"}


# --------------------------------------------------------------------------
# The topics' encryption key
# --------------------------------------------------------------------------

# Who publishes to the topics, and so must be able to use their key.
PUBLISHING_SERVICES = {"cloudwatch.amazonaws.com", "ses.amazonaws.com"}


def test_topics_are_encrypted_with_the_stack_key(resources):
    """Every topic on TopicKey: not the AWS managed alias/aws/sns, whose policy
    CloudWatch alarms and SES event publishing cannot use."""
    topics = cfn.of_type(resources, "AWS::SNS::Topic")
    assert set(topics) == {"AlarmTopic", "EmailEventsTopic", "ModerationTopic"}
    for name, topic in topics.items():
        assert topic["Properties"].get("KmsMasterKeyId") == {"Fn::GetAtt": ["TopicKey", "Arn"]}, name


def test_topic_key_rotates_and_has_an_alias(resources):
    key = resources["TopicKey"]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    aliases = cfn.of_type(resources, "AWS::KMS::Alias")
    assert [a["Properties"]["TargetKeyId"] for a in aliases.values()] == [{"Ref": "TopicKey"}]
    alias = next(iter(aliases.values()))["Properties"]["AliasName"]
    assert cfn.sub_text(alias).startswith("alias/${AWS::StackName}-"), "one alias per stack"


def test_topic_key_policy(resources):
    """The account administers the key; the publishing services may only
    encrypt and decrypt, on behalf of this account; nobody else is named."""
    statements = cfn.as_list(resources["TopicKey"]["Properties"]["KeyPolicy"]["Statement"])
    assert all(st["Effect"] == "Allow" for st in statements)
    root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    admins = [st for st in statements if st["Principal"] == {"AWS": root}]
    assert len(admins) == 1 and admins[0]["Action"] == "kms:*", "without it the key cannot be managed"
    services = [st for st in statements if "Service" in st["Principal"]]
    assert len(services) == 1 and len(statements) == 2
    st = services[0]
    assert set(cfn.as_list(st["Principal"]["Service"])) == PUBLISHING_SERVICES
    assert set(cfn.as_list(st["Action"])) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    assert st["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}, "no confused deputy"


# --------------------------------------------------------------------------
# Reserved concurrency
# --------------------------------------------------------------------------


def _uses_table(props) -> bool:
    return any(
        action.startswith("dynamodb:")
        for policy in props.get("Policies") or []
        for st in cfn.as_list(policy.get("Statement", []))
        for action in cfn.as_list(st["Action"])
    )


@pytest.mark.parametrize("logical_id", ALL_FUNCTIONS)
def test_reserved_concurrency_where_it_protects_the_table(template, functions, logical_id):
    props = functions[logical_id][1]
    param = template["Parameters"]["FunctionReservedConcurrency"]
    assert int(param["Default"]) == 0, "new accounts (10 concurrent executions) cannot reserve any"
    if _uses_table(props):
        assert props.get("ReservedConcurrentExecutions") == {
            "Fn::If": ["HasReservedConcurrency", {"Ref": "FunctionReservedConcurrency"}, {"Ref": "AWS::NoValue"}]
        }, f"{logical_id} uses the table: give it the reserved concurrency parameter"
    else:
        assert "ReservedConcurrentExecutions" not in props, logical_id


def test_monitoring_is_in_sync_with_the_functions():
    """infra/deploy/sync_monitoring.py adds a new function's alarm pair and
    dashboard lines; run it after adding a function."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, str(cfn.ROOT / "infra" / "deploy" / "sync_monitoring.py"), "--check", "--template", str(cfn.TEMPLATE_PATH)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout


def test_only_the_moderation_function_announces_reports(functions, resources):
    """The moderation topic is apart from the alarms, and only the
    moderation function publishes to it (with the key that encrypts it)."""
    publishers = set()
    for name, (_res, props) in functions.items():
        for policy in props.get("Policies") or []:
            for st in policy.get("Statement", []) if isinstance(policy, dict) else []:
                actions = st.get("Action")
                actions = actions if isinstance(actions, list) else [actions]
                if "sns:Publish" in actions:
                    publishers.add(name)
                    assert st["Resource"] == [{"Ref": "ModerationTopic"}], name
    assert publishers == {"ModerationFunction"}
    env = functions["ModerationFunction"][1]["Environment"]["Variables"]
    assert env["MODERATION_TOPIC_ARN"] == {"Ref": "ModerationTopic"}
    assert resources["ModerationEmailSubscription"]["Properties"]["TopicArn"] == {"Ref": "ModerationTopic"}
