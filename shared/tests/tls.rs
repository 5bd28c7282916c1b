//! The AWS SDK clients reach AWS over HTTPS through [`shared::app::https_client`]
//! (rustls with ring, trusting the system's root certificates). The local
//! stack speaks plain HTTP, so this is the test of that path: a DynamoDB
//! request must go through to a TLS server whose certificate chains to a
//! trusted CA (`SSL_CERT_FILE`, which the system roots loader honours), and
//! must be refused by the client when the server's CA is not trusted.
//! Certificates are made with the `openssl` command.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the openssl command (apt-get install -y openssl)");
    assert!(status.success(), "openssl {args:?}");
}

/// A CA named `name` and a `localhost` server certificate it signed.
fn ca_and_server_certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let ca = format!("{name}-ca.pem");
    let ca_key = format!("{name}-ca.key");
    let subject = format!("/CN={name} test CA");
    let mut args = vec!["req", "-x509"];
    args.extend(ec);
    args.extend([
        "-keyout", &ca_key, "-out", &ca, "-days", "1", "-subj", &subject,
    ]);
    openssl(dir, &args);

    let key = format!("{name}-server.key");
    let csr = format!("{name}-server.csr");
    let cert = format!("{name}-server.pem");
    let mut args = vec!["req"];
    args.extend(ec);
    args.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=localhost"]);
    openssl(dir, &args);
    let ext = format!("{name}-server.ext");
    std::fs::write(
        dir.join(&ext),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &cert,
            "-days",
            "1",
            "-extfile",
            &ext,
        ],
    );
    (dir.join(ca), dir.join(cert), dir.join(key))
}

/// Serves one TLS connection on a free port, answers its one request with an
/// empty DynamoDB response, and reports the request head it read (`None` when
/// the handshake failed).
async fn tls_server(cert: &Path, key: &Path) -> (u16, oneshot::Receiver<Option<String>>) {
    let certs = vec![CertificateDer::from_pem_file(cert).unwrap()];
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (report, received) = oneshot::channel();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let Ok(mut tls) = acceptor.accept(tcp).await else {
            let _ = report.send(None);
            return;
        };
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match tls.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        let body = "{}";
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = tls.write_all(response.as_bytes()).await;
        let _ = tls.shutdown().await;
        let _ = report.send(Some(String::from_utf8_lossy(&request).into_owned()));
    });
    (port, received)
}

async fn get_item(port: u16) -> Result<(), String> {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::app::https_client())
        .endpoint_url(format!("https://localhost:{port}"))
        .region(aws_config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    aws_sdk_dynamodb::Client::new(&config)
        .get_item()
        .table_name("tls-test")
        .key("PK", AttributeValue::S("USER#1".into()))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_smithy_types::error::display::DisplayErrorContext(&e).to_string())
}

#[tokio::test]
async fn sdk_requests_go_over_verified_tls() {
    let dir = std::env::temp_dir().join(format!("tls-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (trusted_ca, trusted_cert, trusted_key) = ca_and_server_certificate(&dir, "trusted");
    let (_, stranger_cert, stranger_key) = ca_and_server_certificate(&dir, "stranger");
    // SAFETY: the only test in this binary sets it before any client exists;
    // the system roots are read once, when the first client connects.
    unsafe { std::env::set_var("SSL_CERT_FILE", &trusted_ca) };

    let (port, received) = tls_server(&trusted_cert, &trusted_key).await;
    get_item(port)
        .await
        .expect("a GetItem through TLS to a trusted server");
    let head = received
        .await
        .unwrap()
        .expect("the TLS handshake completed");
    assert!(
        head.to_ascii_lowercase()
            .contains("x-amz-target: dynamodb_20120810.getitem"),
        "the server read the DynamoDB request: {head}"
    );

    let (port, received) = tls_server(&stranger_cert, &stranger_key).await;
    let error = get_item(port)
        .await
        .expect_err("an untrusted certificate is refused");
    assert!(
        received.await.unwrap().is_none(),
        "no request may reach a server whose certificate is not trusted"
    );
    assert!(error.to_lowercase().contains("certificate"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}
