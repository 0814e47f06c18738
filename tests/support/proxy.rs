//! A TCP proxy between the app and its database that a test can cut and restore, to show what
//! clients see while the database is unreachable and that the service recovers by itself.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// A running proxy; it stops with the test's runtime.
pub struct Proxy {
    pub addr: SocketAddr,
    cut: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    /// Listens on a random local port and forwards every connection to `target`.
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let links: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let (c, l) = (cut.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if c.load(Ordering::SeqCst) {
                    // Down: the connection is accepted and dropped at once.
                    continue;
                }
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                l.lock().unwrap().push(link.abort_handle());
            }
        });
        Proxy { addr, cut, links }
    }

    /// The database "goes down": open connections are cut, new ones are dropped.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    /// The database is back.
    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

/// Where the `host[:port]` of a PostgreSQL URL starts and ends.
fn host_span(url: &str) -> (usize, usize) {
    let scheme_end = url.find("://").map(|i| i + 3).unwrap_or(0);
    let start = url[scheme_end..]
        .rfind('@')
        .map(|i| scheme_end + i + 1)
        .unwrap_or(scheme_end);
    let end = url[start..]
        .find(['/', '?'])
        .map(|i| start + i)
        .unwrap_or(url.len());
    (start, end)
}

/// Replaces the `host:port` of a PostgreSQL URL.
pub fn via(url: &str, addr: SocketAddr) -> String {
    let (start, end) = host_span(url);
    format!("{}{addr}{}", &url[..start], &url[end..])
}

/// The `host:port` a PostgreSQL URL names, resolved.
pub fn target_of(url: &str) -> SocketAddr {
    let (start, end) = host_span(url);
    let host = &url[start..end];
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    std::net::ToSocketAddrs::to_socket_addrs(&host)
        .expect("a resolvable database host")
        .next()
        .expect("an address")
}
