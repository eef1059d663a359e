//! Reading every input file the same way: only regular files (a FIFO would hang the read, a
//! link to `/dev/zero` would never end) and `/dev/null` (empty), and at most a documented
//! number of bytes each, so no input can take the process's memory or time without bound.

use std::io::Read;
use std::path::Path;

/// What an input is and how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What the file is, as messages name it ("a case file").
    pub what: &'static str,
    /// The most bytes it may hold.
    pub bytes: u64,
}

const MIB: u64 = 1024 * 1024;

/// Case files, vars files, `conform.yaml`, quarantine and fixtures files: hand-written YAML
/// or JSON, far below this even with large request bodies.
pub const DOCUMENT: Limit = Limit {
    what: "a case, vars, config, quarantine or fixtures file",
    bytes: 16 * MIB,
};

/// JSON reports read back (`report merge`, `--baseline`, `--rerun-failed`, `coverage
/// --report`) and undo ledgers: they grow with the suite.
pub const REPORT: Limit = Limit {
    what: "a report or ledger",
    bytes: 256 * MIB,
};

/// A reference page (`conform derive`): pages are tens of kilobytes, and a page this size is
/// a dump or an accident, reported and skipped.
pub const PAGE: Limit = Limit {
    what: "a reference page",
    bytes: 4 * MIB,
};

/// The contract's own files (`schemas/`) and accepted snapshots.
pub const CONTRACT: Limit = Limit {
    what: "a contract or snapshot file",
    bytes: 64 * MIB,
};

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file system refused.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// A folder, FIFO, socket or device.
    #[error("not a regular file ({0}): inputs are read only from regular files")]
    NotAFile(&'static str),
    /// Over the limit.
    #[error("larger than {} MiB, the limit for {}", .0.bytes / MIB, .0.what)]
    TooLarge(Limit),
    /// Not UTF-8 text.
    #[error("not UTF-8 text")]
    NotText,
}

/// Reads a regular file whole, refusing anything else and anything over `limit`.
pub fn read(path: &Path, limit: Limit) -> Result<Vec<u8>, InputError> {
    // The one device read at all: `/dev/null` is how a command line says "empty".
    if path == Path::new("/dev/null") {
        return Ok(Vec::new());
    }
    // Asked before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile(kind(&meta.file_type())));
    }
    if meta.len() > limit.bytes {
        return Err(InputError::TooLarge(limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Bounded again while reading: a file may grow after it was asked about.
    std::fs::File::open(path)?
        .take(limit.bytes + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(InputError::TooLarge(limit));
    }
    Ok(bytes)
}

/// Reads a regular file as UTF-8 text, as [`read`] does.
pub fn read_text(path: &Path, limit: Limit) -> Result<String, InputError> {
    String::from_utf8(read(path, limit)?).map_err(|_| InputError::NotText)
}

impl From<InputError> for std::io::Error {
    /// For callers whose errors hold an `io::Error`: the file system's own error stays itself.
    fn from(e: InputError) -> std::io::Error {
        match e {
            InputError::Io(e) => e,
            other => std::io::Error::other(other),
        }
    }
}

fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_every_size_up_to_the_limit_are_read_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let limit = Limit {
            what: "a test file",
            bytes: 10_000,
        };
        for n in [0usize, 10, 4095, 4096, 4097, 10_000] {
            let path = dir.path().join(format!("f{n}"));
            let bytes: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&path, &bytes).expect("write");
            assert_eq!(read(&path, limit).expect("read"), bytes, "{n} bytes");
        }
        let over = dir.path().join("over");
        std::fs::write(&over, vec![b'a'; 10_001]).expect("write");
        let e = read(&over, limit).expect_err("over the limit");
        assert!(matches!(e, InputError::TooLarge(_)), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_folders_are_refused_without_reading() {
        let dir = tempfile::tempdir().expect("tempdir");
        let link = dir.path().join("zero.yaml");
        std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
        let e = read(&link, DOCUMENT).expect_err("a device");
        assert!(e.to_string().contains("a device"), "{e}");
        let fifo = dir.path().join("fifo.yaml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        // Would block forever if it were opened.
        let e = read(&fifo, DOCUMENT).expect_err("a FIFO");
        assert!(e.to_string().contains("a FIFO"), "{e}");
        let e = read(dir.path(), DOCUMENT).expect_err("a folder");
        assert!(e.to_string().contains("a folder"), "{e}");
        assert_eq!(read(Path::new("/dev/null"), DOCUMENT).expect("empty"), b"");
    }

    #[test]
    fn text_must_be_utf8() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bin");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).expect("write");
        let e = read_text(&path, DOCUMENT).expect_err("binary");
        assert_eq!(e.to_string(), "not UTF-8 text");
    }
}
