//! `local-gateway`: the local stand-in for API Gateway and CloudFront.
//!
//! Environment: `GATEWAY_HOST` (127.0.0.1), `GATEWAY_PORT` (3000), `TEMPLATE`
//! (template.yaml), `SPA_DIR` (frontend/dist), plus everything the functions
//! read (see `.env.example`).

use std::net::SocketAddr;
use std::path::PathBuf;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    shared::http::init_tracing();
    let env =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let template = PathBuf::from(env("TEMPLATE", "template.yaml"));
    let spa_dir = PathBuf::from(env("SPA_DIR", "frontend/dist"));
    let address = format!(
        "{}:{}",
        env("GATEWAY_HOST", "127.0.0.1"),
        env("GATEWAY_PORT", "3000")
    );

    let api = local_gateway::template::HttpApi::from_file(&template)?;
    let app = shared::App::from_env().await?;
    let router = local_gateway::build(
        api.clone(),
        local_gateway::function_routers(&app),
        Some(spa_dir),
    )?;
    let listener = tokio::net::TcpListener::bind(&address).await.map_err(|e| {
        format!("cannot listen on {address}: {e} (set GATEWAY_PORT to use another port)")
    })?;
    tracing::info!(
        address = %address,
        routes = api.routes.len(),
        "local gateway listening: app http://{address}/ , API http://{address}/api/health"
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
