//! The application state every function shares: configuration, the store,
//! the mailer and the keys, built once per cold start.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

use crate::auth::Keys;
use crate::config::{Config, ConfigError, SecretSource};
use crate::email::Mailer;
use crate::store::Store;

/// Cheap-to-clone handle on the shared state.
#[derive(Clone)]
pub struct App(Arc<Parts>);

/// What [`App`] holds.
pub struct Parts {
    /// Settings read at cold start.
    pub config: Config,
    /// The DynamoDB store.
    pub store: Store,
    /// SES.
    pub mailer: Mailer,
    /// SNS: the operators' moderation topic.
    pub alerts: crate::alerts::Alerts,
    /// JWT and code-hash keys.
    pub keys: Keys,
}

impl Deref for App {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// The function cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is missing or malformed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The application secret could not be read from Secrets Manager.
    #[error("could not read the application secret: {0}")]
    Secret(String),
}

/// The HTTP client every AWS SDK client shares: hyper + rustls with the *ring*
/// crypto provider (plain HTTP too, for the local emulators). The SDK's
/// default is rustls with aws-lc, a large C library: ring keeps each
/// bootstrap smaller and the arm64 build shorter; TLS to AWS endpoints needs
/// nothing aws-lc has and ring lacks.
pub fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// The SDK's timeouts: connect within a second, each attempt within
/// `attempt`, the whole call (three attempts and their back-off) within
/// three attempts' time and a little more.
fn timeouts(attempt: Duration) -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1).min(attempt))
        .operation_attempt_timeout(attempt)
        .operation_timeout(attempt * 3 + Duration::from_millis(500))
        .build()
}

impl App {
    /// Reads the environment, loads AWS settings and the secret.
    pub async fn from_env() -> Result<Self, StartupError> {
        Self::from_config(Config::from_env()?).await
    }

    /// Builds the state from an explicit configuration (the local gateway and
    /// tests use this to vary limits).
    pub async fn from_config(config: Config) -> Result<Self, StartupError> {
        Self::with_store_delay(config, Duration::ZERO).await
    }

    /// As [`App::from_config`], with every DynamoDB request held back by
    /// `delay` before it is sent. `make bench` uses it to show what a call's
    /// round trips cost at DynamoDB's in-region latency, which a local store
    /// on loopback hides.
    pub async fn with_store_delay(config: Config, delay: Duration) -> Result<Self, StartupError> {
        let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(https_client())
            .timeout_config(timeouts(config.aws_attempt_timeout))
            .load()
            .await;
        let store_sdk_config = if delay.is_zero() {
            sdk_config.clone()
        } else {
            sdk_config
                .to_builder()
                .http_client(SharedHttpClient::new(Delayed {
                    inner: https_client(),
                    delay,
                }))
                .build()
        };
        Self::assemble(config, sdk_config, store_sdk_config).await
    }

    /// As [`App::from_config`], with the DynamoDB requests passing through
    /// `faults` (tests only), and retries backing off for milliseconds
    /// instead of seconds, so that a test can fail every step of a call
    /// quickly.
    #[cfg(feature = "faults")]
    pub async fn with_store_faults(
        config: Config,
        faults: &crate::faults::Faults,
    ) -> Result<Self, StartupError> {
        let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(https_client())
            .timeout_config(timeouts(config.aws_attempt_timeout))
            .load()
            .await;
        let store_sdk_config = sdk_config
            .to_builder()
            .http_client(faults.client(https_client()))
            // Two attempts, not three: a doomed request fails on each, and
            // each stalled one costs a whole attempt timeout.
            .retry_config(
                aws_config::retry::RetryConfig::standard()
                    .with_max_attempts(2)
                    .with_initial_backoff(Duration::from_millis(2)),
            )
            .build();
        Self::assemble(config, sdk_config, store_sdk_config).await
    }

    async fn assemble(
        config: Config,
        sdk_config: aws_config::SdkConfig,
        store_sdk_config: aws_config::SdkConfig,
    ) -> Result<Self, StartupError> {
        let secret = match &config.secret {
            SecretSource::Inline(value) => value.clone(),
            SecretSource::SecretsManager(arn) => aws_sdk_secretsmanager::Client::new(&sdk_config)
                .get_secret_value()
                .secret_id(arn)
                .send()
                .await
                .map_err(|e| {
                    StartupError::Secret(
                        aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
                    )
                })?
                .secret_string
                .filter(|s| s.len() >= 32)
                .ok_or_else(|| {
                    StartupError::Secret("the secret is empty or shorter than 32 characters".into())
                })?,
        };
        Ok(Self(Arc::new(Parts {
            store: Store::new(&store_sdk_config, config.table_name.clone()),
            mailer: Mailer::new(
                &sdk_config,
                config.sender_email.clone(),
                config.ses_configuration_set.clone(),
            ),
            alerts: crate::alerts::Alerts::new(&sdk_config, config.moderation_topic_arn.clone()),
            keys: Keys::new(&secret, config.access_token_ttl),
            config,
        })))
    }
}

impl App {
    /// The same state with another mailer, before the state is shared (a
    /// test sends mail to an unreachable SES this way, without touching the
    /// process environment that other tests read).
    ///
    /// # Panics
    /// If the state is already shared (cloned).
    pub fn with_mailer(mut self, mailer: Mailer) -> Self {
        Arc::get_mut(&mut self.0)
            .expect("with_mailer before the state is shared")
            .mailer = mailer;
        self
    }
}

/// An HTTP client that waits `delay` before each request (see
/// [`App::with_store_delay`]).
#[derive(Debug)]
struct Delayed {
    inner: SharedHttpClient,
    delay: Duration,
}

impl HttpClient for Delayed {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(DelayedConnector {
            inner: self.inner.http_connector(settings, components),
            delay: self.delay,
        })
    }
}

#[derive(Debug)]
struct DelayedConnector {
    inner: SharedHttpConnector,
    delay: Duration,
}

impl HttpConnector for DelayedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, delay) = (self.inner.clone(), self.delay);
        HttpConnectorFuture::new(async move {
            tokio::time::sleep(delay).await;
            inner.call(request).await
        })
    }
}
