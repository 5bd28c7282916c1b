//! Faults injected into DynamoDB requests, for tests only (feature
//! `faults`): an HTTP connector in front of the real one that fails the
//! n-th request of a call — connection refused, throttling, an internal
//! server error or a timeout — on every attempt the SDK's retries make, so
//! the failure travels the real SDK path (serialisation, retries, error
//! parsing) into the store and the use case, exactly as one from AWS would.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;

/// How long a request meeting [`Fault::Timeout`] stalls before it times out.
const STALL: std::time::Duration = std::time::Duration::from_millis(300);

/// What a failed request meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing listens: the connection is refused.
    ConnectionRefused,
    /// DynamoDB throttles (`ProvisionedThroughputExceededException`).
    Throttled,
    /// DynamoDB fails (`InternalServerError`, HTTP 500).
    ServerError,
    /// No answer in time: the request stalls, then times out as the
    /// connection's timeout would end it. (Only the doomed request: an app
    /// with faults keeps its usual timeouts, so a slow engine on a busy
    /// machine is not taken for a fault.)
    Timeout,
}

impl Fault {
    /// Every kind, for tests that try each.
    pub const ALL: [Fault; 4] = [
        Fault::ConnectionRefused,
        Fault::Throttled,
        Fault::ServerError,
        Fault::Timeout,
    ];
}

#[derive(Debug, Default)]
struct Plan {
    /// Fail the request with this ordinal (1-based, counted since armed).
    nth: Option<(u32, Fault)>,
    /// Requests seen since armed (each once, whatever its retries).
    seen: u32,
    /// The SDK invocation ids seen, and the one doomed.
    invocations: HashSet<String>,
    doomed: Option<(String, Fault)>,
}

/// The switch a test holds: which request fails, and how.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Plan>>);

impl Faults {
    /// From now, the `nth` DynamoDB request (1-based) fails with `fault`,
    /// on every attempt; the others pass through.
    pub fn fail_nth(&self, nth: u32, fault: Fault) {
        *self.0.lock().unwrap() = Plan {
            nth: Some((nth, fault)),
            ..Plan::default()
        };
    }

    /// No more faults; counting starts again.
    pub fn clear(&self) {
        *self.0.lock().unwrap() = Plan::default();
    }

    /// Requests seen since [`Faults::fail_nth`] or [`Faults::clear`].
    pub fn seen(&self) -> u32 {
        self.0.lock().unwrap().seen
    }

    /// Whether the planned fault was met.
    pub fn struck(&self) -> bool {
        self.0.lock().unwrap().doomed.is_some()
    }

    /// The fault for this request, if it is the doomed one.
    fn judge(&self, request: &HttpRequest) -> Option<Fault> {
        // Every attempt of one SDK call carries the same invocation id.
        let invocation = request
            .headers()
            .get("amz-sdk-invocation-id")
            .unwrap_or_default()
            .to_owned();
        let mut plan = self.0.lock().unwrap();
        if let Some((doomed, fault)) = &plan.doomed {
            if *doomed == invocation {
                return Some(*fault);
            }
        }
        if plan.invocations.insert(invocation.clone()) {
            plan.seen += 1;
            if let Some((nth, fault)) = plan.nth {
                if plan.seen == nth {
                    plan.doomed = Some((invocation, fault));
                    return Some(fault);
                }
            }
        }
        None
    }

    /// An HTTP client that consults these faults before `inner`.
    pub fn client(&self, inner: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(Faulty {
            inner,
            faults: self.clone(),
        })
    }
}

#[derive(Debug)]
struct Faulty {
    inner: SharedHttpClient,
    faults: Faults,
}

impl HttpClient for Faulty {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(FaultyConnector {
            inner: self.inner.http_connector(settings, components),
            faults: self.faults.clone(),
        })
    }
}

#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
    faults: Faults,
}

/// DynamoDB's error answer: its JSON body with the error's type.
fn dynamodb_error(status: u16, kind: &str, message: &str) -> HttpResponse {
    let body =
        format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"{message}"}}"#);
    let mut response = HttpResponse::new(
        status.try_into().expect("a valid status"),
        SdkBody::from(body),
    );
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.0");
    response
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let Some(fault) = self.faults.judge(&request) else {
            return self.inner.call(request);
        };
        if fault == Fault::Timeout {
            return HttpConnectorFuture::new(async move {
                tokio::time::sleep(STALL).await;
                Err(ConnectorError::timeout(
                    std::io::Error::from(std::io::ErrorKind::TimedOut).into(),
                ))
            });
        }
        HttpConnectorFuture::ready(match fault {
            Fault::ConnectionRefused => Err(ConnectorError::io(
                std::io::Error::from(std::io::ErrorKind::ConnectionRefused).into(),
            )),
            Fault::Timeout => unreachable!("answered above"),
            Fault::Throttled => Ok(dynamodb_error(
                400,
                "ProvisionedThroughputExceededException",
                "The level of configured provisioned throughput for the table was exceeded.",
            )),
            Fault::ServerError => Ok(dynamodb_error(
                500,
                "InternalServerError",
                "Internal server error",
            )),
        })
    }
}
