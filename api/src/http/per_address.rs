//! Connections held open per client address: one address (one client, or one botnet host)
//! cannot take every connection the server has. Addresses are TCP peers: behind a proxy,
//! raise the caps, since every client then shares the proxy's address.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Open connections by address, up to a cap each.
#[derive(Clone)]
pub struct PerAddress {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    cap: usize,
}

/// One address's slot; given back when dropped (the connection closed).
pub struct AddressSlot {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

impl PerAddress {
    pub fn new(cap: usize) -> Self {
        Self {
            open: Arc::default(),
            cap,
        }
    }

    /// A slot for one more connection from `ip`; None when it has its fill.
    pub fn admit(&self, ip: IpAddr) -> Option<AddressSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            open: self.open.clone(),
            ip,
        })
    }

    /// Serves one accepted TCP connection with `service` if its address has room; else
    /// answers 429 and closes it.
    pub fn serve<S>(
        &self,
        io: TcpStream,
        service: &S,
    ) -> impl Future<Output = Result<(), S::Error>> + use<S>
    where
        S: actix_service::Service<TcpStream, Response = ()>,
    {
        let slot = io.peer_addr().ok().map(|a| self.admit(a.ip()));
        let call = match slot {
            Some(None) => Err(io),
            slot => Ok((slot.flatten(), service.call(io))),
        };
        async move {
            match call {
                Ok((slot, served)) => {
                    let result = served.await;
                    drop(slot);
                    result
                }
                Err(io) => {
                    refuse(io).await;
                    Ok(())
                }
            }
        }
    }
}

/// The answer to a connection over its address's cap, written before any request is read.
async fn refuse(mut io: TcpStream) {
    let body = super::body::error_body(
        crate::error::ErrorCode::RateLimited,
        "too many connections from your address; close some first",
    )
    .to_string();
    let answer = format!(
        "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 5\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let write = async {
        let _ = io.write_all(answer.as_bytes()).await;
        let _ = io.shutdown().await;
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                // Addresses with nothing open are forgotten: the map holds only open ones.
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_slots_back_when_its_connections_close() {
        let per = PerAddress::new(2);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let a = per.admit(ip).unwrap();
        let _b = per.admit(ip).unwrap();
        assert!(per.admit(ip).is_none());
        assert!(per.admit(other).is_some());
        drop(a);
        assert!(per.admit(ip).is_some());
        assert!(per.open.lock().unwrap().get(&other).is_none());
    }
}
