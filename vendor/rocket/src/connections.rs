// Portero patch (see vendor/README.md): a cap on open connections and an
// idle timeout for keep-alive connections.
//
// Each connection holds a file descriptor until the client goes away. With
// no cap, enough idle or slow clients exhaust the process's descriptors,
// `accept()` then fails with EMFILE and every client, health checks
// included, waits. At the cap, a new connection is accepted and closed at
// once (the client sees the connection close instead of hanging), and a
// warning says so: when the cap is first hit, then at most every
// `REPORT_EVERY` with the number refused meanwhile.
//
// hyper 0.14's header-read timeout is armed only once a keep-alive
// connection sends its next byte, so a client may keep one open, silent,
// for ever after its first answer. Here a connection is "idle" from the
// moment the server writes to it until the client sends again; idle for
// `keep_alive` seconds, its reads end (end of file) and hyper closes it.
// While a request is being handled nothing has been written since it was
// read, so a slow handler is never cut short.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures::Future;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::http::private::{Certificates, Connection, Listener};

const REPORT_EVERY: Duration = Duration::from_secs(10);

struct Cap {
    open: AtomicUsize,
    limit: usize,
    // When the last warning was written, and connections refused since.
    report: Mutex<(Option<Instant>, u64)>,
}

pin_project_lite::pin_project! {
    /// A listener whose connections are capped in number and closed when
    /// idle too long.
    pub struct GuardedListener<L> {
        #[pin]
        listener: L,
        cap: Option<Arc<Cap>>,
        idle_timeout: Option<Duration>,
    }
}

impl<L> GuardedListener<L> {
    /// `None` for either keeps upstream Rocket's behaviour.
    pub fn new(listener: L, limit: Option<usize>, idle_timeout: Option<Duration>) -> Self {
        let cap = limit.map(|limit| Arc::new(Cap {
            open: AtomicUsize::new(0),
            limit,
            report: Mutex::new((None, 0)),
        }));

        GuardedListener { listener, cap, idle_timeout }
    }
}

impl Cap {
    fn refused(&self) {
        let Ok(mut report) = self.report.lock() else { return };
        report.1 += 1;
        let due = report.0.map_or(true, |last| last.elapsed() >= REPORT_EVERY);
        if due {
            log::warn!(
                target: "connection_limit",
                "connection limit reached: {} connections open (connection_limit = {}); \
                 closed {} new connection(s) at once",
                self.open.load(Ordering::Relaxed), self.limit, report.1
            );
            *report = (Some(Instant::now()), 0);
        }
    }
}

impl<L: Listener> Listener for GuardedListener<L> {
    type Connection = GuardedConnection<L::Connection>;

    fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr()
    }

    fn poll_accept(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>
    ) -> Poll<io::Result<Self::Connection>> {
        let mut this = self.project();
        loop {
            let conn = futures::ready!(this.listener.as_mut().poll_accept(cx))?;
            let idle = this.idle_timeout.map(|timeout| Idle {
                timeout,
                since: None,
                timer: None,
                reader: None,
            });

            let Some(cap) = this.cap.as_ref() else {
                return Poll::Ready(Ok(GuardedConnection { conn, cap: None, idle }));
            };

            if cap.open.fetch_add(1, Ordering::AcqRel) < cap.limit {
                let cap = Some(cap.clone());
                return Poll::Ready(Ok(GuardedConnection { conn, cap, idle }));
            }

            cap.open.fetch_sub(1, Ordering::AcqRel);
            cap.refused();
            drop(conn);
        }
    }
}

struct Idle {
    timeout: Duration,
    /// When the server last wrote, if the client has sent nothing since.
    since: Option<Instant>,
    timer: Option<Pin<Box<Sleep>>>,
    /// Woken when the connection turns idle, so that the pending read
    /// comes back and starts the timer.
    reader: Option<Waker>,
}

impl Idle {
    fn read(&mut self) {
        self.since = None;
    }

    fn wrote(&mut self) {
        let was_busy = self.since.is_none();
        self.since = Some(Instant::now());
        if was_busy {
            if let Some(reader) = self.reader.take() {
                reader.wake();
            }
        }
    }

    /// Whether the connection has been idle too long; else arms the timer.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.reader = Some(cx.waker().clone());
        let Some(since) = self.since else { return false };
        let deadline = since + self.timeout;
        let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }

        timer.as_mut().poll(cx).is_ready()
    }
}

pin_project_lite::pin_project! {
    /// A connection counted against its listener's cap until dropped.
    pub struct GuardedConnection<C> {
        #[pin]
        conn: C,
        cap: Option<Arc<Cap>>,
        idle: Option<Idle>,
    }

    impl<C> PinnedDrop for GuardedConnection<C> {
        fn drop(this: Pin<&mut Self>) {
            if let Some(cap) = this.project().cap.take() {
                cap.open.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }
}

impl<C: Connection> Connection for GuardedConnection<C> {
    fn peer_address(&self) -> Option<SocketAddr> {
        self.conn.peer_address()
    }

    fn enable_nodelay(&self) -> io::Result<()> {
        self.conn.enable_nodelay()
    }

    fn peer_certificates(&self) -> Option<Certificates> {
        self.conn.peer_certificates()
    }
}

impl<C: AsyncRead> AsyncRead for GuardedConnection<C> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let before = buf.filled().len();
        match this.conn.poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    if let Some(idle) = this.idle {
                        idle.read();
                    }
                }

                Poll::Ready(Ok(()))
            }
            // End of file: hyper closes the connection.
            Poll::Pending if this.idle.as_mut().map_or(false, |idle| idle.expired(cx)) => {
                Poll::Ready(Ok(()))
            }
            Poll::Pending => Poll::Pending,
            error => error,
        }
    }
}

impl<C: AsyncWrite> AsyncWrite for GuardedConnection<C> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let written = this.conn.poll_write(cx, buf);
        if let (Poll::Ready(Ok(n)), Some(idle)) = (&written, this.idle) {
            if *n > 0 {
                idle.wrote();
            }
        }

        written
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().conn.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().conn.poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let written = this.conn.poll_write_vectored(cx, bufs);
        if let (Poll::Ready(Ok(n)), Some(idle)) = (&written, this.idle) {
            if *n > 0 {
                idle.wrote();
            }
        }

        written
    }

    fn is_write_vectored(&self) -> bool {
        self.conn.is_write_vectored()
    }
}
