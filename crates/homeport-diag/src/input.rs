//! Reading a file the user named: the one function every read path goes through.
//!
//! A path can name something that is not a file: a FIFO (reading blocks forever), a character
//! device (`/dev/zero` never ends), a directory, a socket; or a regular file far larger than
//! any input. [`read_text`] refuses those with an error that says what the path is and why,
//! caps the size, and reports text that is not UTF-8 with its position instead of dropping it.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The size cap for project inputs (Compose files, `.env` files, the cluster inventory, config
/// and secret files): far above any real one, far below what exhausts memory.
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// Why a file could not be read. The message does not repeat the path: callers put it first
/// (`cannot read `x.yaml`: it is a FIFO (named pipe), not a regular file`).
#[derive(Debug)]
pub enum ReadError {
    NotFound,
    /// The path exists but is not a regular file; `what` says what it is.
    NotAFile {
        what: &'static str,
    },
    TooLarge {
        limit: u64,
    },
    /// Not UTF-8 text; 1-based line and byte offset of the first invalid byte.
    NotUtf8 {
        line: usize,
        offset: usize,
    },
    Io(std::io::Error),
}

impl ReadError {
    /// Whether the file simply does not exist (some callers fall back to a default then).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "no such file"),
            ReadError::NotAFile { what } => write!(f, "it is {what}, not a regular file"),
            ReadError::TooLarge { limit } => write!(
                f,
                "it is larger than the {} MiB limit for an input file",
                limit / (1024 * 1024)
            ),
            ReadError::NotUtf8 { line, offset } => write!(
                f,
                "it is not UTF-8 text (invalid byte at line {line}, byte offset {offset})"
            ),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::NotFound {
            ReadError::NotFound
        } else {
            ReadError::Io(e)
        }
    }
}

/// What a non-regular file is, in words.
fn kind_of(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Whether `path` (symlinks followed) is something [`read_text`] would try to read: a regular
/// file. `Err` says what it is otherwise.
pub fn check_regular(path: &Path) -> Result<std::fs::Metadata, ReadError> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        Ok(meta)
    } else {
        Err(ReadError::NotAFile {
            what: kind_of(meta.file_type()),
        })
    }
}

/// Open a regular file for reading without ever blocking on a FIFO swapped in after the
/// check (it is opened non-blocking and checked again through the open handle).
pub fn open_regular(path: &Path) -> Result<std::fs::File, ReadError> {
    check_regular(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile {
            what: kind_of(meta.file_type()),
        });
    }
    if let Some(what) = kernel_file_system(&file) {
        return Err(ReadError::NotAFile { what });
    }
    Ok(file)
}

/// Whether `file` lives on a file system the kernel makes up (`/proc`, `/sys`, ...): its
/// "regular files" describe the machine running homeport (`/proc/self/environ` is its whole
/// environment), never a project's input, even when a symlink in the project points there.
#[cfg(target_os = "linux")]
fn kernel_file_system(file: &std::fs::File) -> Option<&'static str> {
    use std::os::fd::AsRawFd;
    let mut stat: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `stat` is a valid, writable statfs and the descriptor is open for the call.
    if unsafe { libc::fstatfs(file.as_raw_fd(), &mut stat) } != 0 {
        return None;
    }
    const KERNEL: &[(i64, &str)] = &[
        (0x9fa0, "a file of the kernel's /proc file system"),
        (0x6265_6572, "a file of the kernel's /sys file system"),
        (0x6462_6720, "a file of the kernel's debugfs"),
        (0x7472_6163, "a file of the kernel's tracefs"),
        (0x0027_e0eb, "a file of the kernel's cgroup file system"),
        (0x6367_7270, "a file of the kernel's cgroup2 file system"),
        (0x7363_6673, "a file of the kernel's securityfs"),
        (0xcafe_4a11, "a file of the kernel's bpf file system"),
        (0xde5e_81e4, "a file of the kernel's efivarfs"),
        (0x6265_6570, "a file of the kernel's configfs"),
    ];
    #[allow(clippy::unnecessary_cast)]
    let magic = (stat.f_type as i64) & 0xffff_ffff;
    KERNEL
        .iter()
        .find(|(m, _)| *m == magic)
        .map(|(_, what)| *what)
}

#[cfg(not(target_os = "linux"))]
fn kernel_file_system(_file: &std::fs::File) -> Option<&'static str> {
    None
}

/// Read at most `limit` bytes of a regular file.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_open(open_regular(path)?, limit)
}

/// Read at most `limit` bytes of a file [`open_regular`] opened.
pub fn read_open(file: std::fs::File, limit: u64) -> Result<Vec<u8>, ReadError> {
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // The file may grow after the check: never read more than the cap plus one byte.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Read a regular file of at most `limit` bytes as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    text_of(read_bytes(path, limit)?)
}

/// Bytes as UTF-8 text, or where they stop being UTF-8.
pub fn text_of(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        ReadError::NotUtf8 { line, offset }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn kernel_files_are_refused_even_through_a_symlink() {
        let err = read_text(Path::new("/proc/self/environ"), MAX_INPUT_BYTES).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is a file of the kernel's /proc file system, not a regular file"
        );
        let dir = std::env::temp_dir().join(format!("homeport-kernel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let link = dir.join("env.txt");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        assert!(matches!(
            read_bytes(&link, MAX_INPUT_BYTES),
            Err(ReadError::NotAFile { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn regular_files_are_read_and_others_are_named() {
        let dir = std::env::temp_dir().join(format!("homeport-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.yaml");
        std::fs::write(&file, "a: 1\n").unwrap();
        assert_eq!(read_text(&file, 100).unwrap(), "a: 1\n");
        assert!(matches!(
            read_text(&file, 3),
            Err(ReadError::TooLarge { limit: 3 })
        ));
        let e = read_text(&dir, 100).unwrap_err();
        assert_eq!(e.to_string(), "it is a directory, not a regular file");
        assert!(read_text(&dir.join("missing"), 100)
            .unwrap_err()
            .is_not_found());
        std::fs::write(&file, b"a: 1\nb: \xff\n").unwrap();
        assert!(matches!(
            read_text(&file, 100),
            Err(ReadError::NotUtf8 { line: 2, offset: 8 })
        ));
        #[cfg(unix)]
        {
            let e = read_text(Path::new("/dev/zero"), 100).unwrap_err();
            assert_eq!(
                e.to_string(),
                "it is a character device, not a regular file"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
