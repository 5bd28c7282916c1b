//! The `moderation` Lambda: builds the shared state once per cold start, then serves.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::init_tracing();
    let app = shared::App::from_env().await?;
    shared::http::run_lambda(moderation_function::router(app)).await
}
