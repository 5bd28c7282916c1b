"""The edge in template.yaml: the private SPA bucket, the CloudFront
distribution (SPA + /api/*), its security headers (equal to what the local
gateway sends, parsed from infra/gateway/src/spa.rs), the SPA fallback
function, the origin check that keeps the API behind CloudFront, the access
logs (CloudFront's and the SPA bucket's, in the log bucket) and the optional
WAF web ACL (kept equal to infra/deploy/waf.yaml).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

import cfn

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
BUCKETS = ("SpaBucket", "LogBucket")
# The log bucket's retention (docs/runbook.md, section 2).
ACCESS_LOG_DAYS = 90


def _behaviours(distribution) -> tuple[dict, dict]:
    default = distribution["DefaultCacheBehavior"]
    api = [b for b in distribution.get("CacheBehaviors", []) if b["PathPattern"] == "/api/*"]
    assert len(api) == 1, "exactly one /api/* behaviour"
    return default, api[0]


def _origin(distribution, origin_id) -> dict:
    found = [o for o in distribution["Origins"] if o["Id"] == origin_id]
    assert len(found) == 1, origin_id
    return found[0]


# --------------------------------------------------------------------------
# The bucket
# --------------------------------------------------------------------------


def test_buckets_are_the_spa_and_its_logs(resources):
    assert set(cfn.of_type(resources, "AWS::S3::Bucket")) == set(BUCKETS)


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_blocks_public_access(resources, bucket):
    props = resources[bucket]["Properties"]
    block = props["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "AccessControl" not in props, "no canned ACLs"
    assert "WebsiteConfiguration" not in props, "served by CloudFront through OAC, never as an S3 website"
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}


def test_spa_bucket_has_acls_disabled(resources):
    props = resources["SpaBucket"]["Properties"]
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}], "ACLs disabled"


def _bucket_statements(resources, bucket: str = "SpaBucket") -> list[dict]:
    policies = cfn.of_type(resources, "AWS::S3::BucketPolicy")
    assert set(policies) == {f"{b}Policy" for b in BUCKETS}, "one policy per bucket, named after it"
    props = policies[f"{bucket}Policy"]["Properties"]
    assert props["Bucket"] == {"Ref": bucket}
    return cfn.as_list(props["PolicyDocument"]["Statement"])


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_policy_enforces_tls(resources, bucket):
    denies = [
        st
        for st in _bucket_statements(resources, bucket)
        if st["Effect"] == "Deny" and st.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    ]
    assert denies, "a Deny on aws:SecureTransport=false"
    st = denies[0]
    assert st["Principal"] == "*" and st["Action"] == "s3:*"
    assert {"Fn::GetAtt": [bucket, "Arn"]} in st["Resource"]
    assert {"Fn::Sub": f"${{{bucket}.Arn}}/*"} in st["Resource"]


def test_spa_bucket_is_read_only_by_this_distribution(resources):
    """No statement allows anyone but the CloudFront service, and only on behalf
    of this stack's distribution (AWS:SourceArn): nothing is public."""
    allows = [st for st in _bucket_statements(resources) if st["Effect"] == "Allow"]
    assert allows
    distribution_arn = {
        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"
    }
    for st in allows:
        assert st["Principal"] == {"Service": "cloudfront.amazonaws.com"}, f"public or foreign principal: {st}"
        assert st["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution_arn}}, st
        for action in cfn.as_list(st["Action"]):
            assert action in {"s3:GetObject", "s3:ListBucket"}, f"CloudFront only reads: {action}"
    assert any(st["Action"] == "s3:GetObject" for st in allows)


def test_origin_access_control(resources, distribution):
    oac = resources["SpaOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3"
    assert oac["SigningBehavior"] == "always"
    assert oac["SigningProtocol"] == "sigv4"
    spa = _origin(distribution, "spa")
    assert spa["DomainName"] == {"Fn::GetAtt": ["SpaBucket", "RegionalDomainName"]}
    assert spa["OriginAccessControlId"] == {"Fn::GetAtt": ["SpaOriginAccessControl", "Id"]}
    assert spa["S3OriginConfig"] == {"OriginAccessIdentity": ""}, "OAC, not the legacy OAI"


# --------------------------------------------------------------------------
# The distribution
# --------------------------------------------------------------------------


def test_default_behaviour_serves_the_spa(resources, distribution):
    default, _api = _behaviours(distribution)
    assert default["TargetOriginId"] == "spa"
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert set(default["AllowedMethods"]) == {"GET", "HEAD"}
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert default["ResponseHeadersPolicyId"] == {"Ref": "SpaSecurityHeadersPolicy"}
    assert default["Compress"] is True
    assert default["FunctionAssociations"] == [
        {
            "EventType": "viewer-request",
            "FunctionARN": {"Fn::GetAtt": ["SpaRoutesFunction", "FunctionMetadata.FunctionARN"]},
        }
    ]
    assert distribution["DefaultRootObject"] == "index.html"


def test_api_behaviour(resources, distribution):
    _default, api = _behaviours(distribution)
    assert api["TargetOriginId"] == "api"
    assert api["ViewerProtocolPolicy"] in {"https-only", "redirect-to-https"}
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert "FunctionAssociations" not in api, "the SPA rewrite must never see /api/*"
    assert "ResponseHeadersPolicyId" not in api, "the API sets its own headers"
    origin = _origin(distribution, "api")
    assert origin["DomainName"] == {"Fn::Sub": "${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]


def test_api_is_never_cached(resources, distribution):
    _default, api = _behaviours(distribution)
    assert api["CachePolicyId"] == {"Ref": "ApiCachePolicy"}
    config = resources["ApiCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert config["DefaultTTL"] == 0 and config["MinTTL"] == 0
    assert config["MaxTTL"] <= 1, "the smallest TTL that still allows a cache key with Authorization"
    # ... and nothing is cacheable anyway: every API response says no-store.
    http_rs = (cfn.ROOT / "shared" / "src" / "http.rs").read_text(encoding="utf-8")
    assert '(header::CACHE_CONTROL, "no-store")' in http_rs
    # Error responses are not cached either, and never rewritten to the SPA.
    for error in distribution.get("CustomErrorResponses", []):
        assert error["ErrorCachingMinTTL"] == 0, error
        assert "ResponsePagePath" not in error and "ResponseCode" not in error, (
            "no error-page fallback: it would turn API errors into index.html"
        )


def test_api_forwards_everything_but_host(resources, distribution):
    _default, api = _behaviours(distribution)
    cache = resources["ApiCachePolicy"]["Properties"]["CachePolicyConfig"]["ParametersInCacheKeyAndForwardedToOrigin"]
    assert api["OriginRequestPolicyId"] == {"Ref": "ApiOriginRequestPolicy"}
    origin_req = resources["ApiOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]

    def headers(config):
        if config["HeaderBehavior"] == "none":
            return set()
        assert config["HeaderBehavior"] == "whitelist", "allViewer* would forward Host"
        return {h.lower() for h in config["Headers"]}

    forwarded = headers(cache["HeadersConfig"]) | headers(origin_req["HeadersConfig"])
    assert "host" not in forwarded, "API Gateway routes on its own Host"
    assert "authorization" in headers(cache["HeadersConfig"]), "Authorization is forwarded only as part of the cache key"
    assert "authorization" not in headers(origin_req["HeadersConfig"]), "CloudFront rejects it in an origin request policy"
    assert "cloudfront-viewer-address" in headers(origin_req["HeadersConfig"]), "per-IP limits need the viewer address"
    assert {"content-type", "user-agent", "origin"} <= forwarded
    assert "all" in {cache["CookiesConfig"]["CookieBehavior"], origin_req["CookiesConfig"]["CookieBehavior"]}
    assert "all" in {
        cache["QueryStringsConfig"]["QueryStringBehavior"],
        origin_req["QueryStringsConfig"]["QueryStringBehavior"],
    }


def test_tls_and_custom_domain(template, distribution):
    assert distribution["Aliases"] == {"Fn::If": ["HasCustomDomain", [{"Ref": "DomainName"}], {"Ref": "AWS::NoValue"}]}
    condition, custom, default = distribution["ViewerCertificate"]["Fn::If"]
    assert condition == "HasCustomDomain"
    assert custom == {
        "AcmCertificateArn": {"Ref": "CertificateArn"},
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    assert default == {"CloudFrontDefaultCertificate": True}
    params = template["Parameters"]
    assert params["DomainName"]["Default"] == "" and params["CertificateArn"]["Default"] == ""
    assert ":acm:us-east-1:" in params["CertificateArn"]["AllowedPattern"], "CloudFront takes certificates from us-east-1"
    assert distribution["HttpVersion"] in {"http2", "http2and3"}


def test_every_behaviour_is_https(distribution):
    default, _api = _behaviours(distribution)
    for behaviour in [default, *distribution.get("CacheBehaviors", [])]:
        assert behaviour["ViewerProtocolPolicy"] in {"https-only", "redirect-to-https"}


# --------------------------------------------------------------------------
# Access logs: CloudFront's and the SPA bucket's, in the log bucket
# --------------------------------------------------------------------------


def test_distribution_logs_every_request_to_the_log_bucket(distribution):
    """CloudFront's standard logs are the one record of client addresses; they
    never include cookies (the refresh token is one)."""
    assert distribution["Logging"] == {
        "Bucket": {"Fn::GetAtt": ["LogBucket", "DomainName"]},
        "IncludeCookies": False,
        "Prefix": "cloudfront/",
    }


def test_spa_bucket_logs_to_the_log_bucket(resources):
    assert resources["SpaBucket"]["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": "LogBucket"},
        "LogFilePrefix": "s3-spa/",
    }


def test_log_bucket_expires_logs(resources):
    """The lifecycle rule is the logs' retention: every file is deleted after
    ACCESS_LOG_DAYS, and no version of it outlives that."""
    bucket = resources["LogBucket"]
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    expiring = [r for r in rules if r["Status"] == "Enabled" and "ExpirationInDays" in r]
    assert len(expiring) == 1
    assert expiring[0]["ExpirationInDays"] == ACCESS_LOG_DAYS
    assert "Prefix" not in expiring[0] and "Filter" not in expiring[0], "every log, whatever its prefix"
    assert "VersioningConfiguration" not in bucket["Properties"], "an old version would outlive the retention"


def test_log_bucket_takes_cloudfront_logs(resources):
    """CloudFront's standard logging writes through the bucket ACL: ACLs
    enabled, files owned by this account; SSE-S3, which both CloudFront and S3
    server access logging can write to (S3's logs cannot go to SSE-KMS)."""
    bucket = resources["LogBucket"]
    props = bucket["Properties"]
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain", "like the SPA bucket"


def test_log_bucket_accepts_only_the_spa_buckets_logs(resources):
    """The one Allow: S3's log delivery, writing the SPA bucket's logs of this
    account under their prefix. Nobody may read or write anything else."""
    allows = [st for st in _bucket_statements(resources, "LogBucket") if st["Effect"] == "Allow"]
    assert allows == [
        {
            "Sid": "S3DeliversSpaBucketAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": {"Fn::Sub": "${LogBucket.Arn}/s3-spa/*"},
            "Condition": {
                "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": ["SpaBucket", "Arn"]}},
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            },
        }
    ]


def test_log_bucket_is_in_the_outputs(template):
    assert template["Outputs"]["LogBucketName"]["Value"] == {"Ref": "LogBucket"}


# --------------------------------------------------------------------------
# Security headers: the same as the local gateway's (spa.rs)
# --------------------------------------------------------------------------


def _policy_headers(resources) -> dict[str, str]:
    """The headers SpaSecurityHeadersPolicy sends, as {lower-case name: value}."""
    config = resources["SpaSecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    out = {}
    for key, item in security.items():
        assert item.get("Override") is True, f"{key}: the policy must win over whatever S3 sends"
        if key == "ContentSecurityPolicy":
            out["content-security-policy"] = item["ContentSecurityPolicy"]
        elif key == "StrictTransportSecurity":
            value = f"max-age={item['AccessControlMaxAgeSec']}"
            if item.get("IncludeSubdomains"):
                value += "; includeSubDomains"
            if item.get("Preload"):
                value += "; preload"
            out["strict-transport-security"] = value
        elif key == "FrameOptions":
            out["x-frame-options"] = item["FrameOption"]
        elif key == "ContentTypeOptions":
            out["x-content-type-options"] = "nosniff"
        elif key == "ReferrerPolicy":
            out["referrer-policy"] = item["ReferrerPolicy"]
        elif key == "XSSProtection":
            out["x-xss-protection"] = "set"
        else:
            pytest.fail(f"unexpected security header setting {key}")
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        assert item["Override"] is True, item["Header"]
        out[item["Header"].lower()] = item["Value"]
    assert not config.get("RemoveHeadersConfig"), "keep the response as the local gateway serves it"
    return out


def test_spa_headers_equal_the_local_gateway(resources):
    local = cfn.spa_security_headers()
    edge = _policy_headers(resources)
    assert set(edge) == set(local), "CloudFront and the local gateway must send the same headers"
    for name, value in local.items():
        assert edge[name] == value, name


def test_csp_is_strict(resources):
    csp = _policy_headers(resources)["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (part.strip() for part in csp.split(";")) if d}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"], "no inline or foreign script"
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    for forbidden in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"):
        for name, sources in directives.items():
            assert forbidden not in sources, f"{name} allows {forbidden}"


def test_hsts_and_friends(resources):
    headers = _policy_headers(resources)
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains; preload", "2 years"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["permissions-policy"]


def test_spa_rs_parser_sees_every_header():
    """Guards the parser the comparison relies on."""
    local = cfn.spa_security_headers()
    assert set(local) == {
        "content-security-policy",
        "strict-transport-security",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
        "permissions-policy",
    }


# --------------------------------------------------------------------------
# SPA fallback: client routes only
# --------------------------------------------------------------------------

# uri -> the uri S3 is asked for (the same decisions as spa.rs).
SPA_ROUTES = {
    "/": "/index.html",
    "/index.html": "/index.html",
    "/feed": "/index.html",
    "/people/01HZX3": "/index.html",
    "/settings/": "/index.html",
    "/assets/index-3f9a1c.js": "/assets/index-3f9a1c.js",
    "/assets/index-3f9a1c.css": "/assets/index-3f9a1c.css",
    "/manifest.webmanifest": "/manifest.webmanifest",
    "/icon-192.png": "/icon-192.png",
    "/missing.js": "/missing.js",
}


def test_spa_routes_function(resources):
    fn = resources["SpaRoutesFunction"]["Properties"]
    assert fn["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert fn["AutoPublish"] is True
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed")
    script = (
        fn["FunctionCode"]
        + "\nconst cases = JSON.parse(process.argv[1]);\nconst out = {};\n"
        + "for (const uri of Object.keys(cases)) { out[uri] = handler({request: {uri, method: 'GET', headers: {}}}).uri; }\n"
        + "console.log(JSON.stringify(out));\n"
    )
    proc = subprocess.run(
        [node, "-e", script, json.dumps(SPA_ROUTES)], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == SPA_ROUTES


# --------------------------------------------------------------------------
# The API is reachable only through CloudFront
# --------------------------------------------------------------------------


def test_api_requires_the_origin_header(http_api, resources, distribution):
    auth = http_api["Auth"]
    name = auth["DefaultAuthorizer"]
    authorizer = auth["Authorizers"][name]
    assert authorizer["FunctionArn"] == {"Fn::GetAtt": ["OriginVerifyFunction", "Arn"]}
    assert authorizer["EnableSimpleResponses"] is True
    assert str(authorizer["AuthorizerPayloadFormatVersion"]) == "2.0"
    assert authorizer["Identity"]["Headers"] == ["x-origin-verify"]
    origin = _origin(distribution, "api")
    custom = {h["HeaderName"].lower(): h["HeaderValue"] for h in origin["OriginCustomHeaders"]}
    value = custom["x-origin-verify"]
    env = resources["OriginVerifyFunction"]["Properties"]["Environment"]["Variables"]["ORIGIN_VERIFY_VALUE"]
    assert value == env, "CloudFront sends exactly what the authorizer expects"
    text = cfn.sub_text(value)
    assert text.startswith("{{resolve:secretsmanager:${OriginVerifySecret}:SecretString}}"), "a generated secret"
    secret = resources["OriginVerifySecret"]["Properties"]
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32
    # No route opts out of the authorizer.
    for res in cfn.sam_functions({"Resources": resources}).values():
        for event in (res[1].get("Events") or {}).values():
            assert "Auth" not in event.get("Properties", {}), "every route goes through the origin check"


def test_origin_verify_function_logic(resources, monkeypatch):
    props = resources["OriginVerifyFunction"]["Properties"]
    assert props["Handler"] == "index.handler"
    assert props["Runtime"].startswith("python3.")
    assert "Policies" not in props, "it needs no permissions beyond its logs"
    monkeypatch.setenv("ORIGIN_VERIFY_VALUE", "s3cret-value1")
    namespace: dict = {}
    exec(compile(props["InlineCode"], "OriginVerifyFunction", "exec"), namespace)  # noqa: S102 - our own code
    handler = namespace["handler"]
    assert handler({"headers": {"x-origin-verify": "s3cret-value1"}}, None) == {"isAuthorized": True}
    assert handler({"headers": {"x-origin-verify": "s3cret-value2"}}, None) == {"isAuthorized": False}
    assert handler({"headers": {"x-origin-verify": ""}}, None) == {"isAuthorized": False}
    assert handler({"headers": {}}, None) == {"isAuthorized": False}
    assert handler({}, None) == {"isAuthorized": False}
    assert os.environ["ORIGIN_VERIFY_VALUE"] == "s3cret-value1"


# --------------------------------------------------------------------------
# WAF (optional)
# --------------------------------------------------------------------------


def _web_acl_rules(props) -> dict[str, dict]:
    return {rule["Name"]: rule for rule in props["Rules"]}


def test_web_acl(template, resources, distribution):
    acl = resources["WebAcl"]
    assert acl["Condition"] == "CreateWebAcl"
    condition = template["Conditions"]["CreateWebAcl"]
    assert {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]} in condition["Fn::And"], (
        "CLOUDFRONT-scope web ACLs exist only in us-east-1"
    )
    assert template["Parameters"]["EnableWebAcl"]["Default"] == "false"
    props = acl["Properties"]
    assert props["Scope"] == "CLOUDFRONT"
    assert props["DefaultAction"] == {"Allow": {}}
    rules = _web_acl_rules(props)
    rate = [r for r in rules.values() if "RateBasedStatement" in r["Statement"]]
    assert len(rate) == 1
    assert rate[0]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rate[0]["Action"] == {"Block": {}}
    managed = [r["Statement"].get("ManagedRuleGroupStatement", {}) for r in rules.values()]
    assert {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}.items() <= next(
        m for m in managed if m.get("Name") == "AWSManagedRulesCommonRuleSet"
    ).items()
    assert distribution["WebACLId"] == {
        "Fn::If": [
            "CreateWebAcl",
            {"Fn::GetAtt": ["WebAcl", "Arn"]},
            {"Fn::If": ["HasExternalWebAcl", {"Ref": "WebAclArn"}, {"Ref": "AWS::NoValue"}]},
        ]
    }


def _web_acls() -> dict[str, dict]:
    """{file: properties of its web ACL}: template.yaml's and infra/deploy/waf.yaml's."""
    waf = cfn.load_yaml(cfn.WAF_TEMPLATE_PATH)
    standalone = cfn.of_type(waf["Resources"], "AWS::WAFv2::WebACL")
    assert len(standalone) == 1
    return {
        "template.yaml": cfn.load_template()["Resources"]["WebAcl"]["Properties"],
        "infra/deploy/waf.yaml": next(iter(standalone.values()))["Properties"],
    }


@pytest.mark.parametrize("source", ["template.yaml", "infra/deploy/waf.yaml"])
def test_web_acl_blocks_known_bad_inputs(source):
    """AWS's known-bad-inputs rule set, blocking (not only counting), its
    Log4j rules included (CVE-2021-44228; checkov's CKV_AWS_192)."""
    rules = [
        r
        for r in _web_acl_rules(_web_acls()[source]).values()
        if r["Statement"].get("ManagedRuleGroupStatement", {}).get("Name") == "AWSManagedRulesKnownBadInputsRuleSet"
    ]
    assert len(rules) == 1, source
    rule = rules[0]
    assert rule["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS"
    assert rule["OverrideAction"] == {"None": {}}, "the group's own actions (block), not count"
    group = rule["Statement"]["ManagedRuleGroupStatement"]
    assert not group.get("ExcludedRules") and not group.get("RuleActionOverrides"), "every rule of it blocks"


def test_waf_template_matches(resources):
    """infra/deploy/waf.yaml (for stacks outside us-east-1) declares the same rules."""
    waf = cfn.load_yaml(cfn.WAF_TEMPLATE_PATH)
    acls = cfn.of_type(waf["Resources"], "AWS::WAFv2::WebACL")
    assert len(acls) == 1
    standalone = next(iter(acls.values()))["Properties"]
    ours = resources["WebAcl"]["Properties"]
    assert standalone["Scope"] == ours["Scope"] == "CLOUDFRONT"
    assert standalone["DefaultAction"] == ours["DefaultAction"]
    assert standalone["Rules"] == ours["Rules"], "keep infra/deploy/waf.yaml's rules equal to template.yaml's"
    assert waf["Parameters"]["WafRateLimitPer5Min"] == {
        k: v for k, v in cfn.load_template()["Parameters"]["WafRateLimitPer5Min"].items()
    }
    assert "WebAclArn" in waf["Outputs"]


def test_waf_template_is_lint_clean():
    exe = shutil.which("cfn-lint")
    if exe is None:
        pytest.skip("cfn-lint not installed")
    proc = subprocess.run(
        [exe, "--regions", "us-east-1", "--", str(cfn.WAF_TEMPLATE_PATH)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr
