//! One live connection: wait for `subscribe`, replay from the store, then follow the hub.
//!
//! Owns the per-connection protocol and its guarantees: events go out strictly in log order,
//! each exactly once; a gap or lag sends the connection back to the store rather than skipping;
//! a client that stops reading is disconnected after [`SEND_TIMEOUT`] instead of holding memory;
//! the session is re-checked periodically so a logout or an idle timeout ends the stream, and at
//! once (also between the pages of a long replay) when the hub says a staff account changed, so
//! disabling a user or ending their sessions closes their streams within a second.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, close_code};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use opsroom_store::CrisisFilter;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::watch;

use crate::live::Frame;
use crate::state::AppState;
use crate::wire::{LiveNotice, LiveRequest, Problem};

/// A send that takes longer than this means the client stopped reading.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a new connection may take to subscribe.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(30);
/// Events read from the store per replay query.
const REPLAY_PAGE: u32 = 500;

/// Why a connection ended; only logged.
#[derive(Debug)]
pub(super) enum End {
    ClientLeft,
    SlowClient,
    ShuttingDown,
    SessionEnded,
    NeverSubscribed,
    Store(String),
}

/// The sending half of a live connection (shared by the operators' and the partners' streams).
pub(super) struct Connection {
    pub(super) sink: SplitSink<WebSocket, Message>,
    pub(super) app: AppState,
}

impl Connection {
    /// Send several messages with one flush (one write on the socket where they fit): a group
    /// commit publishes events in bursts, and a syscall per event would dominate the fan-out.
    pub(super) async fn send_burst(&mut self, texts: impl Iterator<Item = Utf8Bytes>) -> Result<(), End> {
        let sink = &mut self.sink;
        let burst = async move {
            for text in texts {
                sink.feed(Message::Text(text)).await?;
            }
            sink.flush().await
        };
        match tokio::time::timeout(SEND_TIMEOUT, burst).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::ClientLeft),
            Err(_) => Err(End::SlowClient),
        }
    }

    pub(super) async fn send_notice(&mut self, notice: &LiveNotice) -> Result<(), End> {
        let text = serde_json::to_string(notice).expect("notices serialize");
        self.send_burst(std::iter::once(text.into())).await
    }

    pub(super) async fn close(mut self, end: &End) {
        let (code, reason) = match end {
            End::ShuttingDown => (close_code::AWAY, "server shutting down"),
            End::SessionEnded => (close_code::POLICY, "session ended"),
            End::NeverSubscribed => (close_code::POLICY, "send subscribe first"),
            End::SlowClient => (close_code::POLICY, "not reading fast enough; reconnect with since"),
            End::Store(_) => (close_code::ERROR, "temporarily unavailable; reconnect with since"),
            End::ClientLeft => return,
        };
        let frame = CloseFrame { code, reason: reason.into() };
        let _ = tokio::time::timeout(Duration::from_secs(1), self.sink.send(Message::Close(Some(frame)))).await;
    }
}

/// Run one live connection to its end.
pub async fn serve(socket: WebSocket, app: AppState, session_hash: String) {
    let (sink, mut stream) = socket.split();
    let mut connection = Connection { sink, app: app.clone() };
    let end = match stream_events(&mut connection, &mut stream, &session_hash).await {
        Ok(never) => match never {},
        Err(end) => end,
    };
    match &end {
        End::Store(error) => tracing::warn!(%error, "live connection ended: store unavailable"),
        other => tracing::debug!(end = ?other, "live connection ended"),
    }
    connection.close(&end).await;
}

enum Never {}

async fn stream_events(
    connection: &mut Connection,
    stream: &mut SplitStream<WebSocket>,
    session_hash: &str,
) -> Result<Never, End> {
    let app = connection.app.clone();
    // Watch for account changes before anything else, so none slips by unseen.
    let mut session = SessionWatch { hash: session_hash, changes: app.hub.staff_changes() };
    let Subscription { since, crisis } = wait_for_subscribe(connection, stream).await?;
    let admits = move |frame: &Frame| crisis.is_none_or(|stream| frame.scope.on(stream));

    // Subscribe to the hub before reading anything from the store: every event committed after
    // this point reaches the receiver, every event before it is in the store.
    let mut frames = app.hub.subscribe();
    let mut last = match since {
        Some(since) => since,
        None => {
            // The committed head, not what the hub has broadcast so far: a client told its
            // report was committed must find it at or below its snapshot (the hub's later
            // frames up to here are skipped, the store replays nothing below it).
            let position = *app.store.committed_head().borrow();
            connection.send_notice(&LiveNotice::Snapshot { seq: position }).await?;
            position
        }
    };
    let mut recheck = tokio::time::interval(app.config.session_recheck);
    recheck.reset();

    loop {
        last = replay_from_store(connection, &mut session, last, &admits).await?;
        // Follow the hub until it skips ahead of us (gap) or we lag behind its ring.
        loop {
            tokio::select! {
                biased;
                _ = app.shutdown.cancelled() => return Err(End::ShuttingDown),
                incoming = stream.next() => handle_incoming(connection, incoming).await?,
                _ = recheck.tick() => session.recheck(&app).await?,
                changed = session.changes.changed() => {
                    if changed.is_err() {
                        return Err(End::ShuttingDown);
                    }
                    session.recheck(&app).await?;
                }
                frame = frames.recv() => match frame {
                    Ok(frame) if frame.seq <= last => {}
                    Ok(frame) if frame.seq == last + 1 => {
                        // Take the rest of the burst that is already waiting, in order.
                        let mut burst = vec![frame];
                        let mut behind = false;
                        loop {
                            match frames.try_recv() {
                                Ok(next) if next.seq == burst[burst.len() - 1].seq + 1 => burst.push(next),
                                Ok(next) if next.seq <= burst[burst.len() - 1].seq => {}
                                Err(TryRecvError::Empty) => break,
                                // A gap, a lag or a closed hub: send what we have, then replay.
                                Ok(_) | Err(_) => {
                                    behind = true;
                                    break;
                                }
                            }
                        }
                        connection.send_burst(burst.iter().filter(|f| admits(f)).map(|f| f.text.clone())).await?;
                        last = burst[burst.len() - 1].seq;
                        if behind {
                            break;
                        }
                    }
                    // A gap (the hub is ahead of what we sent) or lag: go back to the store.
                    Ok(_) | Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => return Err(End::ShuttingDown),
                },
            }
        }
    }
}

/// The session a stream runs under, and the hub's notice of account changes.
struct SessionWatch<'a> {
    hash: &'a str,
    changes: watch::Receiver<u64>,
}

impl SessionWatch<'_> {
    /// End the stream unless the session is still live.
    async fn recheck(&mut self, app: &AppState) -> Result<(), End> {
        self.changes.borrow_and_update();
        match crate::auth::live_session(app, self.hash).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(End::SessionEnded),
            Err(error) => Err(End::Store(error.to_string())),
        }
    }
}

/// Send every committed event after `last` that the stream `admits` from the store; returns the
/// new last position.
async fn replay_from_store(
    connection: &mut Connection,
    session: &mut SessionWatch<'_>,
    mut last: u64,
    admits: &impl Fn(&Frame) -> bool,
) -> Result<u64, End> {
    loop {
        // A long replay still ends at once when the account changes.
        if session.changes.has_changed().unwrap_or(false) {
            session.recheck(&connection.app).await?;
        }
        let events =
            connection.app.store.events_after(last, REPLAY_PAGE).await.map_err(|e| End::Store(e.to_string()))?;
        let frames = Frame::read_page(&connection.app.store, &events).await.map_err(|e| End::Store(e.to_string()))?;
        connection.send_burst(frames.into_iter().filter(|f| admits(f)).map(|f| f.text)).await?;
        if let Some(event) = events.last() {
            last = event.seq;
        }
        if events.len() < REPLAY_PAGE as usize {
            return Ok(last);
        }
    }
}

/// What a client subscribed to: where to start, and the crisis it narrowed the stream to.
pub(super) struct Subscription {
    pub since: Option<u64>,
    pub crisis: Option<CrisisFilter>,
}

pub(super) async fn wait_for_subscribe(
    connection: &mut Connection,
    stream: &mut SplitStream<WebSocket>,
) -> Result<Subscription, End> {
    let app = connection.app.clone();
    let deadline = tokio::time::sleep(SUBSCRIBE_TIMEOUT);
    tokio::pin!(deadline);
    loop {
        let incoming = tokio::select! {
            _ = app.shutdown.cancelled() => return Err(End::ShuttingDown),
            _ = &mut deadline => return Err(End::NeverSubscribed),
            incoming = stream.next() => incoming,
        };
        match incoming {
            Some(Ok(Message::Text(text))) => match serde_json::from_str::<LiveRequest>(&text) {
                Ok(LiveRequest::Subscribe { since, crisis }) => {
                    let narrowed = crisis.as_deref().map(|raw| crate::crises::filter(&app.crises.index(), raw));
                    if let (Some(raw), Some(None)) = (crisis.as_deref(), narrowed) {
                        let problem =
                            Problem::new("unknown_crisis", format!("no crisis is called {raw}"), Some("crisis".into()));
                        connection.send_notice(&LiveNotice::Error { error: problem }).await?;
                        continue;
                    }
                    let crisis = narrowed.flatten();
                    let local_head = *app.store.committed_head().borrow();
                    // A client moving from another node may know positions this node has not
                    // seen yet; only the database says whether they exist.
                    let head = match since {
                        Some(since) if since > local_head => {
                            app.store.database_head().await.map_err(|e| End::Store(e.to_string()))?
                        }
                        _ => local_head,
                    };
                    if since.is_some_and(|since| since > head) {
                        let problem = Problem::new(
                            "position_ahead",
                            format!("position {} is beyond the end of the log ({head})", since.unwrap_or(0)),
                            Some("since".into()),
                        );
                        connection.send_notice(&LiveNotice::Error { error: problem }).await?;
                        continue;
                    }
                    return Ok(Subscription { since, crisis });
                }
                Err(e) => {
                    let problem = Problem::new(
                        "invalid_message",
                        format!("expected {{\"type\":\"subscribe\",\"since\":null|N}}: {e}"),
                        None,
                    );
                    connection.send_notice(&LiveNotice::Error { error: problem }).await?;
                }
            },
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Err(End::ClientLeft),
            Some(Ok(_)) => {} // pings are answered by the websocket layer; binary is ignored
        }
    }
}

/// A message while streaming: only close matters; anything else gets an error notice.
pub(super) async fn handle_incoming(
    connection: &mut Connection,
    incoming: Option<Result<Message, axum::Error>>,
) -> Result<(), End> {
    match incoming {
        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => Err(End::ClientLeft),
        Some(Ok(Message::Text(_))) => {
            let problem = Problem::new("already_subscribed", "this connection is already streaming", None);
            connection.send_notice(&LiveNotice::Error { error: problem }).await
        }
        Some(Ok(_)) => Ok(()),
    }
}
