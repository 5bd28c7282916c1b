//! The `health` Lambda: no state, no table access; serves liveness and the API document.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::init_tracing();
    shared::http::run_lambda(health_function::router()).await
}
