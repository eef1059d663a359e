//! Reading the small files a run reads by the thousand (case files, accepted snapshots).

use std::io::Read;
use std::path::Path;

/// Reads a small file whole without first asking for its size: `std::fs::read` does a `statx`
/// before reading, one system call in five of a case file's, and on a 2-core machine running
/// thousands of cases a second every call counts.
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 4096];
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match file.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_every_size_are_read_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        for n in [0usize, 10, 4095, 4096, 4097, 10_000] {
            let path = dir.path().join(format!("f{n}"));
            let bytes: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&path, &bytes).expect("write");
            assert_eq!(read(&path).expect("read"), bytes, "{n} bytes");
        }
        let missing = read(&dir.path().join("missing")).expect_err("no file");
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        assert!(read(dir.path()).is_err(), "a folder is not a file");
    }
}
