//! Configuration, read once at cold start into a typed struct.
//!
//! Every setting comes from the environment (the template sets them in AWS,
//! `.env` / the Makefile locally). A bad value stops the function at start-up
//! with a message naming the variable, rather than failing on some request.

use std::time::Duration;

/// Where the application secret (JWT signing and code hashing) comes from.
#[derive(Clone)]
pub enum SecretSource {
    /// `APP_SECRET`: the value itself. Local development and tests only.
    Inline(String),
    /// `APP_SECRET_ARN`: a Secrets Manager secret, fetched at cold start.
    SecretsManager(String),
}

/// Which request attribute is the client's IP address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientIpSource {
    /// API Gateway's `requestContext.http.sourceIp` (the TCP peer). Right when
    /// clients call API Gateway directly, and for the local gateway.
    SourceIp,
    /// CloudFront's `CloudFront-Viewer-Address` header. Right only when the API
    /// is reachable solely through CloudFront, which sets (and overwrites) it.
    CloudFront,
}

/// A fixed-window limit: at most `max` events per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Events allowed per window.
    pub max: u32,
    /// The window's length.
    pub window: Duration,
}

impl RateLimit {
    /// Parses `"count/seconds"`, e.g. `"5/60"`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (max, seconds) = raw.trim().split_once('/')?;
        let max = max.trim().parse().ok()?;
        let seconds: u64 = seconds.trim().parse().ok()?;
        (seconds > 0).then(|| Self {
            max,
            window: Duration::from_secs(seconds),
        })
    }

    const fn per(max: u32, seconds: u64) -> Self {
        Self {
            max,
            window: Duration::from_secs(seconds),
        }
    }
}

/// The application-level rate limits (API Gateway throttling is the global backstop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in attempts per client IP.
    pub login_per_ip: RateLimit,
    /// Failed sign-ins per account.
    pub login_failures_per_account: RateLimit,
    /// One-time code requests per email address.
    pub code_per_email: RateLimit,
    /// One-time code requests per client IP.
    pub code_per_ip: RateLimit,
    /// Registrations per client IP.
    pub register_per_ip: RateLimit,
    /// Password-reset requests per email address.
    pub reset_per_email: RateLimit,
    /// Wrong one-time codes per client IP, across every address and
    /// purpose: what stops guessing codes across many accounts.
    pub wrong_codes_per_ip: RateLimit,
    /// API calls per client (the signed-in person, else the address), on
    /// every route that touches data: what keeps one client from using up
    /// the API for everyone. The whole window may be spent at once, so a
    /// page load (a handful of calls) never trips it.
    pub calls_per_client: RateLimit,
    /// Parts of data exports per account: what an export costs is the
    /// reads of its parts (a 10,000-post account's is about a dozen).
    pub export_parts_per_account: RateLimit,
    /// Reports per account: enough for anyone who meets something bad,
    /// too few to bury the operators.
    pub reports_per_account: RateLimit,
    /// Invitations per account (each one is an email to a stranger's
    /// address: what keeps the network from being a spam relay).
    pub invitations_per_account: RateLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_ip: RateLimit::per(5, 60),
            login_failures_per_account: RateLimit::per(10, 15 * 60),
            code_per_email: RateLimit::per(3, 3600),
            code_per_ip: RateLimit::per(10, 3600),
            register_per_ip: RateLimit::per(3, 3600),
            reset_per_email: RateLimit::per(3, 3600),
            wrong_codes_per_ip: RateLimit::per(10, 3600),
            calls_per_client: RateLimit::per(100, 60),
            export_parts_per_account: RateLimit::per(100, 3600),
            reports_per_account: RateLimit::per(20, 24 * 3600),
            invitations_per_account: RateLimit::per(10, 24 * 3600),
        }
    }
}

/// Everything a function needs to know about its environment.
#[derive(Clone)]
pub struct Config {
    /// The single DynamoDB table.
    pub table_name: String,
    /// The SES identity one-time codes are sent from.
    pub sender_email: String,
    /// Optional SES configuration set (bounce/complaint events).
    pub ses_configuration_set: Option<String>,
    /// Where the application secret comes from.
    pub secret: SecretSource,
    /// Most connections one person may have.
    pub max_connections: u32,
    /// Lifetime of an access token.
    pub access_token_ttl: Duration,
    /// Lifetime of a refresh token (and its session).
    pub refresh_token_ttl: Duration,
    /// App-level rate limits.
    pub rate_limits: RateLimits,
    /// How long one attempt of an AWS request may take before the SDK gives
    /// up on it and retries (`AWS_ATTEMPT_TIMEOUT_MS`, 2,000): DynamoDB
    /// answers in milliseconds, so a stalled connection is cut off long
    /// before the function's own timeout (10 s), and the caller gets our
    /// `503` with `Retry-After` rather than API Gateway's error for a
    /// function that timed out. (The local engines on a busy machine may
    /// need more: `make test` gives them 10 s.)
    pub aws_attempt_timeout: Duration,
    /// How to find the client's IP.
    pub client_ip_source: ClientIpSource,
    /// The app's public address (`SITE_URL`, e.g. `https://social.example.com`),
    /// for the links in emails. Without it, no notice email is sent: a
    /// notice must carry a working unsubscribe link.
    pub site_url: Option<String>,
    /// The operators (`OPERATOR_USER_IDS`, user ids, comma-separated): the
    /// only people the moderation desk answers.
    pub operators: crate::domain::moderation::Operators,
    /// The SNS topic a new report is announced on (`MODERATION_TOPIC_ARN`);
    /// without it no alert is sent (a report is still listed on the desk).
    pub moderation_topic_arn: Option<String>,
    /// Add `Server-Timing` and `X-DynamoDB-Requests` headers to responses.
    /// For the local stack, tests and benchmarks; off in AWS.
    pub expose_metrics: bool,
}

/// A configuration variable is missing or malformed.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {variable}: {problem}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let required = |name: &'static str| {
            get(name).ok_or_else(|| ConfigError {
                variable: name,
                problem: "is not set".into(),
            })
        };
        let number = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v.trim().parse().map_err(|_| ConfigError {
                    variable: name,
                    problem: format!("expected a whole number, got {v:?}"),
                }),
            }
        };
        let limit = |name: &'static str, default: RateLimit| -> Result<RateLimit, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => RateLimit::parse(&v).ok_or_else(|| ConfigError {
                    variable: name,
                    problem: format!("expected \"count/seconds\" like \"5/60\", got {v:?}"),
                }),
            }
        };

        let secret = match (get("APP_SECRET"), get("APP_SECRET_ARN")) {
            (Some(value), _) if value.len() < 32 => {
                return Err(ConfigError {
                    variable: "APP_SECRET",
                    problem: "must be at least 32 characters".into(),
                });
            }
            (Some(value), _) => SecretSource::Inline(value),
            (None, Some(arn)) => SecretSource::SecretsManager(arn),
            (None, None) => {
                return Err(ConfigError {
                    variable: "APP_SECRET_ARN",
                    problem: "is not set (set APP_SECRET_ARN in AWS, or APP_SECRET locally)".into(),
                });
            }
        };
        let defaults = RateLimits::default();
        let client_ip_source = match get("CLIENT_IP_SOURCE").as_deref() {
            None | Some("source_ip") => ClientIpSource::SourceIp,
            Some("cloudfront") => ClientIpSource::CloudFront,
            Some(other) => {
                return Err(ConfigError {
                    variable: "CLIENT_IP_SOURCE",
                    problem: format!("expected source_ip or cloudfront, got {other:?}"),
                });
            }
        };
        Ok(Self {
            table_name: required("TABLE_NAME")?,
            sender_email: get("SENDER_EMAIL")
                .unwrap_or_else(|| "no-reply@intentional.local".into()),
            ses_configuration_set: get("SES_CONFIGURATION_SET"),
            secret,
            max_connections: u32::try_from(number("MAX_CONNECTIONS", 100)?).map_err(|_| {
                ConfigError {
                    variable: "MAX_CONNECTIONS",
                    problem: "is too large".into(),
                }
            })?,
            access_token_ttl: Duration::from_secs(number("ACCESS_TOKEN_TTL_SECONDS", 900)?),
            refresh_token_ttl: Duration::from_secs(
                number("REFRESH_TOKEN_TTL_DAYS", 30)? * 24 * 3600,
            ),
            rate_limits: RateLimits {
                login_per_ip: limit("RATE_LIMIT_LOGIN_IP", defaults.login_per_ip)?,
                login_failures_per_account: limit(
                    "RATE_LIMIT_LOGIN_ACCOUNT_FAILURES",
                    defaults.login_failures_per_account,
                )?,
                code_per_email: limit("RATE_LIMIT_OTP_EMAIL", defaults.code_per_email)?,
                code_per_ip: limit("RATE_LIMIT_OTP_IP", defaults.code_per_ip)?,
                register_per_ip: limit("RATE_LIMIT_REGISTER_IP", defaults.register_per_ip)?,
                reset_per_email: limit("RATE_LIMIT_RESET_EMAIL", defaults.reset_per_email)?,
                wrong_codes_per_ip: limit(
                    "RATE_LIMIT_WRONG_CODES_IP",
                    defaults.wrong_codes_per_ip,
                )?,
                calls_per_client: limit("RATE_LIMIT_CLIENT", defaults.calls_per_client)?,
                export_parts_per_account: limit(
                    "RATE_LIMIT_EXPORT",
                    defaults.export_parts_per_account,
                )?,
                reports_per_account: limit("RATE_LIMIT_REPORTS", defaults.reports_per_account)?,
                invitations_per_account: limit(
                    "RATE_LIMIT_INVITATIONS",
                    defaults.invitations_per_account,
                )?,
            },
            client_ip_source,
            aws_attempt_timeout: Duration::from_millis(
                number("AWS_ATTEMPT_TIMEOUT_MS", 2000)?.max(1),
            ),
            site_url: match get("SITE_URL") {
                None => None,
                Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                    Some(url.trim().trim_end_matches('/').to_owned())
                }
                Some(other) => {
                    return Err(ConfigError {
                        variable: "SITE_URL",
                        problem: format!("expected an http(s) address, got {other:?}"),
                    });
                }
            },
            operators: crate::domain::moderation::Operators::parse(
                &get("OPERATOR_USER_IDS").unwrap_or_default(),
            )
            .map_err(|entry| ConfigError {
                variable: "OPERATOR_USER_IDS",
                problem: format!("expected user ids separated by commas; {entry:?} is not one"),
            })?,
            moderation_topic_arn: get("MODERATION_TOPIC_ARN"),
            expose_metrics: get("EXPOSE_METRICS").is_some_and(|v| v == "true" || v == "1"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_only_the_essentials_are_set() {
        let c = config(&[("TABLE_NAME", "t"), ("APP_SECRET_ARN", "arn:x")]).unwrap();
        assert_eq!(c.max_connections, 100);
        assert_eq!(c.access_token_ttl, Duration::from_secs(900));
        assert_eq!(c.rate_limits, RateLimits::default());
        assert_eq!(c.client_ip_source, ClientIpSource::SourceIp);
        assert!(!c.expose_metrics);
    }

    #[test]
    fn overrides_are_read_and_bad_values_name_their_variable() {
        let c = config(&[
            ("TABLE_NAME", "t"),
            ("APP_SECRET", &"s".repeat(32)),
            ("MAX_CONNECTIONS", "3"),
            ("RATE_LIMIT_LOGIN_IP", "50/10"),
        ])
        .unwrap();
        assert_eq!(c.max_connections, 3);
        assert_eq!(c.rate_limits.login_per_ip, RateLimit::per(50, 10));

        let error = config(&[
            ("TABLE_NAME", "t"),
            ("APP_SECRET_ARN", "a"),
            ("RATE_LIMIT_OTP_IP", "ten"),
        ])
        .err()
        .unwrap();
        assert_eq!(error.variable, "RATE_LIMIT_OTP_IP");
        assert_eq!(
            config(&[("APP_SECRET_ARN", "a")]).err().unwrap().variable,
            "TABLE_NAME"
        );
        assert_eq!(
            config(&[("TABLE_NAME", "t"), ("APP_SECRET", "short")])
                .err()
                .unwrap()
                .variable,
            "APP_SECRET"
        );
    }
}
