//! The `auth` Lambda: builds the shared state once per cold start, then serves.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::init_tracing();
    let app = shared::App::from_env().await?;
    let router = auth_function::router(app.clone());
    // The schedule's passes finish the clean-up of deleted accounts that a
    // fault interrupted (shared::service::deletion).
    shared::http::run_lambda_with_schedule(router, move || {
        let app = app.clone();
        async move {
            let now = shared::domain::Timestamp::now();
            match shared::service::deletion::resume(&app, now).await {
                Ok(finished) => serde_json::json!({ "finished": finished }),
                Err(error) => {
                    tracing::error!(%error, "account clean-up pass failed");
                    serde_json::json!({ "error": "clean-up pass failed" })
                }
            }
        }
    })
    .await
}
