//! `/metrics` over HTTP when `steady.metrics.listen=HOST:PORT` is set: the consumer's
//! Prometheus text, served by a thread of the consumer's (`steady-metrics`) with `tiny_http`.
//! Any other path is 404, any method but GET and HEAD 405. Ends at close.

use crate::runtime::shared::Shared;
use crate::runtime::{prometheus, Error};
use parking_lot::Mutex;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use tiny_http::{Header, Method, Response, Server};

/// The content type of the text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A running `/metrics` endpoint.
pub(crate) struct MetricsServer {
    /// Dropped on stop, which closes the socket.
    server: Mutex<Option<Arc<Server>>>,
    address: SocketAddr,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl MetricsServer {
    /// Listens on `address` and serves `shared`'s metrics; an address that cannot be bound is
    /// refused naming `steady.metrics.listen`.
    pub fn start(address: &str, shared: Arc<Shared>) -> Result<MetricsServer, Error> {
        let refused = |why: String| {
            Error::Config(vec![crate::runtime::config::refusal(
                "steady.metrics.listen",
                format!("steady.metrics.listen={address:?} cannot be served: {why}"),
                None,
            )])
        };
        let server = Arc::new(Server::http(address).map_err(|e| refused(e.to_string()))?);
        let bound = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| refused("not an IP address".into()))?;
        let serving = server.clone();
        let thread = std::thread::Builder::new()
            .name("steady-metrics".into())
            .spawn(move || {
                for request in serving.incoming_requests() {
                    let response = match (request.method(), request.url()) {
                        (Method::Get | Method::Head, "/metrics") => {
                            let header = Header::from_bytes("Content-Type", CONTENT_TYPE)
                                .expect("a valid header");
                            Response::from_string(prometheus::render(&shared)).with_header(header)
                        }
                        (Method::Get | Method::Head, _) => {
                            Response::from_string("not found: the metrics are at /metrics\n")
                                .with_status_code(404)
                        }
                        _ => Response::from_string("only GET /metrics\n").with_status_code(405),
                    };
                    let _ = request.respond(response);
                }
            })
            .map_err(|e| Error::Internal(format!("cannot start the metrics thread: {e}")))?;
        Ok(MetricsServer {
            server: Mutex::new(Some(server)),
            address: bound,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// The address it listens on (the port chosen when 0 was given).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops serving, waits for the thread and closes the socket. Idempotent.
    pub fn stop(&self) {
        let Some(server) = self.server.lock().take() else {
            return;
        };
        server.unblock();
        if let Some(thread) = self.thread.lock().take() {
            let _ = thread.join();
        }
    }
}
