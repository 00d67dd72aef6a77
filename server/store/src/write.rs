//! What a write is, to the writer: the one abstraction every feature's write implements.
//!
//! Owns [`Write`] (a feature's write with its own outcome type), [`Positions`] (the only way a
//! write gets a log position) and [`Job`] (a write with its caller's reply, type-erased so the
//! writer's queue holds every kind of write). Must not know any feature: the writer runs jobs,
//! the feature modules (`workflow`, `staff`, `citizens`, …) implement [`Write`] for their
//! commands.

use std::future::Future;
use std::ops::Range;

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;

use crate::sql::Conn;
use crate::{Result, StoreError};

/// One command to the writer, run inside its transaction. The writer runs each in a savepoint:
/// an unexpected database error rolls back this write alone (its positions returned) and is its
/// caller's answer, while the rest of the batch commits.
pub(crate) trait Write: Send + 'static {
    /// What the caller learns once the transaction committed.
    type Outcome: Send + 'static;

    /// Decide and write: every event through [`Positions`], with the rows it changes.
    fn write(
        &mut self,
        conn: &mut Conn<'_>,
        positions: &mut Positions,
    ) -> impl Future<Output = Result<Self::Outcome>> + Send;
}

/// The log positions of one batch, handed out in order. A write takes a position for each
/// event it writes, and only then; positions taken by a write that is rolled back are handed
/// out again, so the log has no gaps.
#[derive(Debug)]
pub(crate) struct Positions {
    next: u64,
}

impl Positions {
    /// Positions after the committed head `head`.
    pub(crate) fn after(head: u64) -> Self {
        Self { next: head + 1 }
    }

    /// The position the next event will take, for planning a batch before writing it. Take it
    /// with [`Positions::take`] or [`Positions::take_run`] when writing.
    pub(crate) fn peek(&self) -> u64 {
        self.next
    }

    /// The next position.
    pub(crate) fn take(&mut self) -> u64 {
        let seq = self.next;
        self.next += 1;
        seq
    }

    /// `count` consecutive positions, for events written many to a statement.
    pub(crate) fn take_run(&mut self, count: usize) -> Range<u64> {
        let first = self.next;
        self.next += count as u64;
        first..self.next
    }

    /// The last position taken (the head the batch will commit).
    pub(crate) fn last(&self) -> u64 {
        self.next - 1
    }

    /// Hand back everything taken since `mark` (a value of [`Positions::peek`]): its write was
    /// rolled back.
    pub(crate) fn rewind(&mut self, mark: u64) {
        self.next = mark;
    }
}

/// A write and its caller's reply, as the writer's queue holds it.
pub(crate) trait Job: Send {
    /// Run the write; its outcome is kept until [`Job::answer`].
    fn run<'a>(&'a mut self, conn: &'a mut Conn<'_>, positions: &'a mut Positions) -> BoxFuture<'a, Result<()>>;

    /// The write was rolled back alone (its savepoint): answer with `error` once the batch
    /// commits.
    fn rolled_back(&mut self, error: StoreError);

    /// The batch committed and the head moved: send the outcome.
    fn answer(self: Box<Self>);

    /// The batch failed, or the writer is closing: answer with `error`.
    fn fail(self: Box<Self>, error: StoreError);
}

/// A [`Write`] waiting for its answer.
struct Pending<W: Write> {
    write: W,
    reply: oneshot::Sender<Result<W::Outcome>>,
    outcome: Option<Result<W::Outcome>>,
}

/// The job for `write`, and where its outcome will arrive.
pub(crate) fn job<W: Write>(write: W) -> (Box<dyn Job>, oneshot::Receiver<Result<W::Outcome>>) {
    let (reply, answer) = oneshot::channel();
    (Box::new(Pending { write, reply, outcome: None }), answer)
}

impl<W: Write> Job for Pending<W> {
    fn run<'a>(&'a mut self, conn: &'a mut Conn<'_>, positions: &'a mut Positions) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let outcome = self.write.write(conn, positions).await?;
            self.outcome = Some(Ok(outcome));
            Ok(())
        })
    }

    fn rolled_back(&mut self, error: StoreError) {
        self.outcome = Some(Err(StoreError::BatchFailed(error.to_string())));
    }

    fn answer(self: Box<Self>) {
        let outcome = self.outcome.unwrap_or(Err(StoreError::BatchFailed("the write did not run".into())));
        let _ = self.reply.send(outcome);
    }

    fn fail(self: Box<Self>, error: StoreError) {
        let _ = self.reply.send(Err(error));
    }
}
