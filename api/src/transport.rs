//! The connection layer: serves the app over HTTP/1.1 as actix-web's `HttpServer` does, on
//! connections that make the errors actix-http's dispatcher answers by itself problem+json too.
//!
//! The dispatcher answers some requests before any route or middleware sees them: one it cannot
//! parse (400: a malformed request line or header, or a URI longer than the 65,534 bytes the
//! `http` crate holds, such as 20,000 query parameters), a head over 128 KiB (431) and a head
//! that does not arrive in time (408). It writes each as a bare head with `content-length: 0`
//! and then closes the connection, and offers no hook to change that. So the connection itself
//! watches what is written: a response that is such a head and nothing else is replaced by the
//! same status with a problem body (built by `ApiError`). Nothing the app answers looks like
//! that: every error it sends has a problem body (`middleware::problem_for_errors`).
//!
//! It must not do anything else: no other byte is changed, read or buffered.

use crate::error::ApiError;
use actix_http::{HttpService, Request, Response};
use actix_server::Server;
use actix_service::{
    IntoServiceFactory, ServiceFactory, ServiceFactoryExt, fn_service, map_config,
};
use actix_web::body::MessageBody;
use actix_web::dev::AppConfig;
use std::io;
use std::net::TcpListener;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How the server runs: the settings of actix-web's `HttpServer` that the app used.
#[derive(Debug, Clone, Copy)]
pub struct Serving {
    /// HTTP worker threads.
    pub workers: usize,
    /// Blocking threads per worker (database work).
    pub blocking_threads: usize,
}

/// Serves the apps `factory` makes (one per worker) on `listener`, over HTTP/1.1, with
/// `HttpServer`'s defaults: keep-alive 5 s, 5 s for a request head, 1 s to close.
pub fn serve<F, I, S, B>(listener: TcpListener, serving: Serving, factory: F) -> io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: std::fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    let addr = listener.local_addr()?;
    let server = Server::build()
        .workers(serving.workers)
        .worker_max_blocking_threads(serving.blocking_threads)
        .listen("seriktes", listener, move || {
            let app = factory()
                .into_factory()
                .map_err(|e| e.into().error_response());
            let http = HttpService::build()
                .keep_alive(actix_http::KeepAlive::default())
                .client_request_timeout(Duration::from_secs(5))
                .client_disconnect_timeout(Duration::from_secs(1))
                .local_addr(addr)
                // The app's default configuration (host and address are only read for a request
                // without a Host header, which HTTP/1.1 refuses; no handler builds URLs).
                .h1(map_config(app, |()| AppConfig::default()));
            fn_service(|io: actix_rt::net::TcpStream| {
                let peer = io.peer_addr().ok();
                std::future::ready(Ok((ProblemIo::new(io), peer)))
            })
            .and_then(http)
        })?
        .run();
    Ok(server)
}

/// A connection whose dispatcher-made bodyless errors are written as problem+json.
#[derive(Debug)]
pub struct ProblemIo<T> {
    inner: T,
    rewrite: Option<Rewrite>,
}

/// A replacement being written: its bytes, how many are written, and how many bytes of the
/// dispatcher's it stands for (reported as written once all of it is).
#[derive(Debug)]
struct Rewrite {
    bytes: Vec<u8>,
    written: usize,
    replaces: usize,
}

impl<T> ProblemIo<T> {
    /// Wraps a connection.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            rewrite: None,
        }
    }
}

/// The problem+json response that replaces `written`, when `written` is exactly the head of a
/// bodyless 400, 408 or 431 (the dispatcher's own answers); `None` for anything else.
fn replacement(written: &[u8]) -> Option<Vec<u8>> {
    let head = std::str::from_utf8(written)
        .ok()?
        .strip_suffix("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut parts = status_line.split(' ');
    let version = parts.next().filter(|v| v.starts_with("HTTP/1."))?;
    let error = match parts.next()? {
        "400" => ApiError::BadRequest(
            "The request could not be read: its request line or a header is malformed, or its \
             URI is longer than 65,534 bytes (too many or too long query parameters)."
                .to_owned(),
        ),
        "408" => ApiError::RequestTimeout,
        "431" => ApiError::RequestHeadTooLarge,
        _ => return None,
    };
    let (mut bodyless, mut date) = (false, None);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => bodyless = value.trim() == "0",
            "content-type" => return None,
            "date" => date = Some(value.trim()),
            _ => {}
        }
    }
    if !bodyless {
        return None;
    }
    let status = actix_web::ResponseError::status_code(&error);
    let body = error.problem_body();
    let mut out = format!(
        "{version} {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error"),
        crate::error::PROBLEM_JSON,
        body.len()
    );
    if let Some(date) = date {
        out.push_str("date: ");
        out.push_str(date);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.rewrite.is_none() {
            // Only a head alone can be one of the dispatcher's errors; skip the parse for the
            // rest (bodies, heads with their bodies).
            if buf.len() > 512 || !buf.ends_with(b"\r\n\r\n") {
                return Pin::new(&mut this.inner).poll_write(cx, buf);
            }
            this.rewrite = replacement(buf).map(|bytes| Rewrite {
                bytes,
                written: 0,
                replaces: buf.len(),
            });
        }
        let Some(rewrite) = &mut this.rewrite else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        while rewrite.written < rewrite.bytes.len() {
            let rest = rewrite.bytes.get(rewrite.written..).unwrap_or_default();
            match Pin::new(&mut this.inner).poll_write(cx, rest) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => rewrite.written += n,
                other @ (Poll::Ready(Err(_)) | Poll::Pending) => return other,
            }
        }
        let replaces = rewrite.replaces;
        this.rewrite = None;
        Poll::Ready(Ok(replaces))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dispatchers_bodyless_errors_become_problem_json() {
        let head = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: Sun, 06 Dec 2026 04:47:12 GMT\r\n\r\n";
        let out = String::from_utf8(replacement(head).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        assert!(
            head.contains("date: Sun, 06 Dec 2026 04:47:12 GMT"),
            "{head}"
        );
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 400);
        assert_eq!(problem["type"], "urn:seriktes:problem:malformed-request");
        let out = replacement(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n",
        )
        .unwrap();
        assert!(String::from_utf8(out).unwrap().contains("\"status\":431"));
        let out =
            replacement(b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\n").unwrap();
        assert!(String::from_utf8(out).unwrap().contains("\"status\":408"));
    }

    #[test]
    fn every_other_response_is_left_alone() {
        for written in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 10\r\ncontent-type: application/problem+json\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ncontent-type: text/plain\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}",
            b"{\"data\": []}",
        ] {
            assert_eq!(replacement(written), None, "{}", String::from_utf8_lossy(written));
        }
    }
}
