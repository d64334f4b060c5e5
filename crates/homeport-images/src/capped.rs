//! A blob buffer with a size cap: a registry that sends more than a config or a small layer
//! can hold (or more than the manifest declared) ends the download with an error instead of
//! growing homeport's memory without bound.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::AsyncWrite;

/// The most an image config blob may hold (real ones are a few KiB).
pub const CONFIG_LIMIT: usize = 4 * 1024 * 1024;

/// Bytes written, refused past `limit`.
pub struct CappedBuffer {
    pub bytes: Vec<u8>,
    limit: usize,
}

impl CappedBuffer {
    pub fn new(limit: usize) -> Self {
        CappedBuffer {
            bytes: Vec::new(),
            limit,
        }
    }
}

impl AsyncWrite for CappedBuffer {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.bytes.len() + buf.len() > self.limit {
            let limit = self.limit;
            return Poll::Ready(Err(io::Error::other(format!(
                "the blob is larger than {} KiB",
                limit / 1024
            ))));
        }
        self.bytes.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn writes_past_the_limit_fail() {
        let mut b = CappedBuffer::new(8);
        b.write_all(b"12345678").await.unwrap();
        assert!(b.write_all(b"9").await.is_err());
        assert_eq!(b.bytes, b"12345678");
    }
}
