#!/usr/bin/env python3
"""Keep template.yaml's monitoring in step with its functions.

    python3 infra/deploy/sync_monitoring.py          # rewrite template.yaml
    python3 infra/deploy/sync_monitoring.py --check  # exit 1 if it would change

For every Lambda function of the template (AWS::Serverless::Function and
AWS::Lambda::Function) it makes sure there is an `<Id>ErrorsAlarm` and an
`<Id>ThrottlesAlarm` (inserted, in the same form as the others, before the
"# DynamoDB publishes" comment), and it regenerates the Dashboard resource's
body from the function and alarm lists. Everything else in the file is left
byte for byte as it is. Run it after adding a function; the template tests
(tests-template/test_operations.py) fail until it has been run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra" / "local"))
import cfn_template  # noqa: E402 - the one template loader (infra/local/cfn_template.py)

TEMPLATE = ROOT / "template.yaml"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
ALARMS_ANCHOR = "  # DynamoDB publishes ThrottledRequests"
DASHBOARD_START = "      DashboardBody: !Sub |\n"


def short_name(logical_id: str) -> str:
    """AuthFunction -> auth, OriginVerifyFunction -> origin-verify."""
    base = logical_id.removesuffix("Function")
    return re.sub(r"(?<!^)(?=[A-Z])", "-", base).lower()


def alarm_block(logical_id: str, metric: str) -> str:
    what = {
        "Errors": "failed (crashed, timed out or ran out of memory)",
        "Throttles": "was throttled (concurrency limit reached)",
    }[metric]
    short = short_name(logical_id)
    return f"""  {logical_id}{metric}Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: !Sub ${{AWS::StackName}}-{short}-{metric.lower()}
      AlarmDescription: The {short} function {what} in the last 5 minutes. See docs/runbook.md.
      Namespace: AWS/Lambda
      MetricName: {metric}
      Dimensions:
        - Name: FunctionName
          Value: !Ref {logical_id}
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      Threshold: 1
      TreatMissingData: notBreaching
      AlarmActions:
        - !Ref AlarmTopic
      OKActions:
        - !Ref AlarmTopic

"""


def dashboard(functions: list[str], alarms: list[str]) -> str:
    region = "${AWS::Region}"
    api = ["ApiId", "${HttpApi}", "Stage", "$default"]

    def graph(x, y, width, title, metrics, stat="Sum", period=300):
        return {
            "type": "metric",
            "x": x,
            "y": y,
            "width": width,
            "height": 6,
            "properties": {
                "title": title,
                "region": region,
                "view": "timeSeries",
                "stacked": False,
                "stat": stat,
                "period": period,
                "metrics": metrics,
            },
        }

    def per_function(metric, suffix=""):
        return [
            ["AWS/Lambda", metric, "FunctionName", "${%s}" % f, {"label": short_name(f) + suffix}] for f in functions
        ]

    def search(metric, stat, label, ident):
        query = "{AWS/DynamoDB,Operation,TableName} TableName=\"${Table}\" MetricName=\"%s\"" % metric
        return [{"expression": f"SEARCH('{query}', '{stat}', 300)", "id": ident, "label": label}]

    widgets = [
        {
            "type": "text",
            "x": 0,
            "y": 0,
            "width": 24,
            "height": 2,
            "properties": {
                "markdown": "# Intentional Social - ${AWS::StackName}\n"
                "What each alarm means and what to do: `docs/runbook.md`. Logs: `/aws/lambda/${AWS::StackName}-*` "
                "and the API access log `${HttpApiAccessLogGroup}`; traces: X-Ray."
            },
        },
        {
            "type": "alarm",
            "x": 0,
            "y": 2,
            "width": 24,
            "height": 4,
            "properties": {"title": "Alarms", "alarms": ["${%s.Arn}" % a for a in alarms]},
        },
        graph(
            0,
            6,
            8,
            "API requests and errors",
            [
                ["AWS/ApiGateway", "Count", *api, {"label": "requests"}],
                ["AWS/ApiGateway", "4xx", *api, {"label": "4xx"}],
                ["AWS/ApiGateway", "5xx", *api, {"label": "5xx"}],
            ],
        ),
        graph(
            8,
            6,
            8,
            "API latency (ms)",
            [
                ["AWS/ApiGateway", "Latency", *api, {"stat": "p50", "label": "p50"}],
                ["AWS/ApiGateway", "Latency", *api, {"stat": "p99", "label": "p99"}],
                ["AWS/ApiGateway", "IntegrationLatency", *api, {"stat": "p99", "label": "integration p99"}],
            ],
            stat="p99",
        ),
        graph(16, 6, 8, "Function invocations", per_function("Invocations")),
        graph(
            0,
            12,
            8,
            "Function errors and throttles",
            per_function("Errors", " errors") + per_function("Throttles", " throttles"),
        ),
        graph(8, 12, 8, "Function duration p99 (ms)", per_function("Duration"), stat="p99"),
        graph(16, 12, 8, "Function concurrency (max)", per_function("ConcurrentExecutions"), stat="Maximum", period=60),
        graph(
            0,
            18,
            8,
            "DynamoDB capacity consumed",
            [
                ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", "${Table}", {"label": "read units"}],
                ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", "${Table}", {"label": "write units"}],
            ],
        ),
        graph(
            8,
            18,
            8,
            "DynamoDB throttles, system and user errors",
            [
                search("ThrottledRequests", "Sum", "throttled", "throttled"),
                search("SystemErrors", "Sum", "system errors", "system"),
                ["AWS/DynamoDB", "UserErrors", {"label": "user errors (account, not alarmed)"}],
            ],
        ),
        graph(
            16,
            18,
            8,
            "DynamoDB latency p99 (ms)",
            [search("SuccessfulRequestLatency", "p99", "p99", "latency")],
            stat="p99",
        ),
        graph(
            0,
            24,
            12,
            "Email (SES, account)",
            [
                ["AWS/SES", "Send", {"label": "sent"}],
                ["AWS/SES", "Delivery", {"label": "delivered"}],
                ["AWS/SES", "Bounce", {"label": "bounced"}],
                ["AWS/SES", "Complaint", {"label": "complaints"}],
            ],
        ),
        graph(
            12,
            24,
            12,
            "SES reputation (alarm at 5 % bounces, 0.1 % complaints)",
            [
                ["AWS/SES", "Reputation.BounceRate", {"label": "bounce rate"}],
                ["AWS/SES", "Reputation.ComplaintRate", {"label": "complaint rate"}],
            ],
            stat="Maximum",
            period=900,
        ),
    ]
    body = json.dumps({"widgets": widgets}, indent=2)
    return "".join("        " + line + "\n" for line in body.splitlines())


def sync(text: str) -> str:
    doc = cfn_template.loads(text)
    resources = doc["Resources"]
    functions = [k for k, v in resources.items() if v.get("Type") in FUNCTION_TYPES]

    missing = "".join(
        alarm_block(f, metric)
        for f in functions
        for metric in ("Errors", "Throttles")
        if f"{f}{metric}Alarm" not in resources
    )
    if missing:
        if ALARMS_ANCHOR not in text:
            sys.exit(f"error: cannot find {ALARMS_ANCHOR.strip()!r} in {TEMPLATE}")
        text = text.replace(ALARMS_ANCHOR, missing + ALARMS_ANCHOR, 1)
        doc = cfn_template.loads(text)
        resources = doc["Resources"]

    alarms = [k for k, v in resources.items() if v.get("Type") == "AWS::CloudWatch::Alarm"]
    start = text.index(DASHBOARD_START) + len(DASHBOARD_START)
    end = start
    lines = text[start:].splitlines(keepends=True)
    for line in lines:  # the block scalar: every line indented 8+ or blank
        if line.strip() and not line.startswith("        "):
            break
        end += len(line)
    # Keep one blank line between the block and what follows.
    trailing = text[start:end][len(text[start:end].rstrip("\n")) :]
    return text[:start] + dashboard(functions, alarms).rstrip("\n") + "\n" + trailing[1:] + text[end:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when template.yaml is not in sync")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    args = parser.parse_args()
    text = args.template.read_text(encoding="utf-8")
    new = sync(text)
    if args.check:
        if new != text:
            print(f"{args.template}: monitoring out of date: run python3 infra/deploy/sync_monitoring.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        args.template.write_text(new, encoding="utf-8")
        print(f"updated {args.template}")
    else:
        print(f"{args.template} already in sync")
    return 0


if __name__ == "__main__":
    sys.exit(main())
