//! What every request passes before its route: where it came from and how its body arrives.
//!
//! Owns three rules of the router's outermost layer:
//! - **Same site.** A state-changing request that a cookie authenticates (a staff session, the
//!   partner page's session), or a form post to a public page, must come from this site:
//!   `Sec-Fetch-Site` `same-origin` or `none`, or, from browsers that do not send it, an
//!   `Origin` that is this server's own (or a configured one). A request with neither header is
//!   not a browser's and passes (it still needs its credentials). `SameSite=Strict` alone does
//!   not cover sibling subdomains or other ports of the same host. (`crate::origin` tells.)
//! - **Body deadline.** A body must arrive whole within `Config::body_timeout` (408 otherwise),
//!   so a client dripping a byte at a time cannot hold a connection and a handler.
//! - **No half-read keep-alive.** A response sent before the request's body was read (a 401,
//!   413, 415, 429 or 403 refused early) says `Connection: close`, so the client does not send
//!   its next request on a connection the server is about to drop.
//!
//! And on HTTPS deployments it adds `Strict-Transport-Security`. It must not authenticate
//! anyone or read a body itself.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, CONTENT_TYPE, STRICT_TRANSPORT_SECURITY};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Body as _, Frame, SizeHint};

use crate::config::Config;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::{auth, origin};

/// `Strict-Transport-Security` on HTTPS deployments: a year, this host only (a ministry's other
/// sites under the same domain are not ours to pin).
const HSTS: &str = "max-age=31536000";

pub async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let https = app.config.https();
    let (request, read_whole) = with_deadline(request, app.config.body_timeout);
    let mut response =
        if needs_same_site(&request, &app.config) && !origin::from_this_site(request.headers(), &app.config) {
            tracing::info!(path = %request.uri().path(), "refused a cross-site request");
            refusal(request.uri().path())
        } else {
            next.run(request).await
        };
    if read_whole.is_some_and(|read| !read.load(Ordering::Acquire)) {
        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
    if https {
        response.headers_mut().insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}

/// Unsafe methods carrying one of our cookies, and form posts to the public pages.
fn needs_same_site(request: &Request, config: &Config) -> bool {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let path = request.uri().path();
    let page_form = path == "/" || path.starts_with("/track/");
    let headers = request.headers();
    page_form || auth::session_token(headers, config).is_some() || auth::partner_page_cookie(headers, config).is_some()
}

/// A 403: JSON on the API, a short page in both languages elsewhere (it may be a person whose
/// browser followed a foreign page's form).
fn refusal(path: &str) -> Response {
    if path.starts_with("/api/") {
        return ApiError::CrossOrigin.into_response();
    }
    let page = "<!doctype html><meta charset=utf-8><title>403</title>\
        <p lang=ar dir=rtl>وصل هذا الطلب من موقع آخر فرُفض. افتح صفحة البلاغ من عنوانها الرسمي وأرسل مرة أخرى.</p>\
        <p lang=en>This request came from another site and was refused. Open the report page at its official address and send it again.</p>";
    (StatusCode::FORBIDDEN, [(CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// The request with its body behind the deadline, and a flag that says whether the body was
/// read to its end (`None`: it had none).
fn with_deadline(request: Request, deadline: Duration) -> (Request, Option<Arc<AtomicBool>>) {
    if request.body().is_end_stream() {
        return (request, None);
    }
    let read_whole = Arc::new(AtomicBool::new(false));
    let request = request.map(|inner| {
        Body::new(DeadlineBody {
            inner,
            deadline: Box::pin(tokio::time::sleep(deadline)),
            read_whole: read_whole.clone(),
        })
    });
    (request, Some(read_whole))
}

/// The body did not arrive within the deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within the deadline")]
pub struct BodyDeadlineExceeded;

/// Whether a body could not be read because it came too slowly.
pub fn is_body_timeout(rejection: &axum::extract::rejection::BytesRejection) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(error) = cause {
        if error.is::<BodyDeadlineExceeded>() {
            return true;
        }
        cause = error.source();
    }
    false
}

struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
    read_whole: Arc<AtomicBool>,
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(None) => {
                this.read_whole.store(true, Ordering::Release);
                Poll::Ready(None)
            }
            Poll::Ready(frame) => Poll::Ready(frame),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(BodyDeadlineExceeded)))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
