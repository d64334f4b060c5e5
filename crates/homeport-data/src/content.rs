//! Reading a file's content hole-aware: the data segments (SEEK_DATA/SEEK_HOLE) are read and
//! handed to a sink at their offsets; holes are hashed as zeros without being read or written,
//! so a copy keeps them holes and the hash is the hash of the logical content.

use crate::entry::Hash;
use rustix::fs::SeekFrom;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

const CHUNK: usize = 1 << 20;
static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// Hash `len` zero bytes into `hasher`.
pub fn hash_zeros(hasher: &mut blake3::Hasher, mut len: u64) {
    while len > 0 {
        let n = len.min(ZEROS.len() as u64) as usize;
        hasher.update(&ZEROS[..n]);
        len -= n as u64;
    }
}

/// The data segments of `file` (of `size` bytes) as (start, end) pairs, in order. A
/// filesystem without SEEK_DATA gives one segment for the whole file.
pub fn data_segments(file: &File, size: u64) -> io::Result<Vec<(u64, u64)>> {
    let mut out = Vec::new();
    let mut pos = 0u64;
    while pos < size {
        let start = match rustix::fs::seek(file, SeekFrom::Data(pos)) {
            Ok(start) => start,
            Err(rustix::io::Errno::NXIO) => break,
            Err(rustix::io::Errno::INVAL) if pos == 0 => {
                out.push((0, size));
                return Ok(out);
            }
            Err(e) => return Err(e.into()),
        };
        if start >= size {
            break;
        }
        let end = rustix::fs::seek(file, SeekFrom::Hole(start))?.min(size);
        out.push((start, end));
        pos = end;
    }
    Ok(out)
}

/// Read `file` (of `size` bytes): every data chunk goes to `sink(offset, bytes)`; returns the
/// BLAKE3 of the whole logical content.
pub fn read_content(
    file: &File,
    size: u64,
    mut sink: impl FnMut(u64, &[u8]) -> io::Result<()>,
) -> io::Result<Hash> {
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; CHUNK.min(size as usize).max(1)];
    let mut pos = 0u64;
    for (start, end) in data_segments(file, size)? {
        hash_zeros(&mut hasher, start - pos);
        pos = start;
        while pos < end {
            let want = ((end - pos) as usize).min(buf.len());
            let n = file.read_at(&mut buf[..want], pos)?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file became shorter while it was read (is the service still writing?)",
                ));
            }
            hasher.update(&buf[..n]);
            sink(pos, &buf[..n])?;
            pos += n as u64;
        }
    }
    hash_zeros(&mut hasher, size - pos);
    Ok(*hasher.finalize().as_bytes())
}

/// The content hash of `file` only.
pub fn hash_file(file: &File, size: u64) -> io::Result<Hash> {
    read_content(file, size, |_, _| Ok(()))
}
