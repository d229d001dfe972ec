//! Where a command's data goes (docs/cli.md): standard output, or a file named with `-o`.
//!
//! - Standard output: a reader that stops early (`onshi export … | head -1`) closes the
//!   pipe; that is the reader's choice, so the command ends quietly with exit 0.
//! - `-o FILE`: the file holds personal data, so it is created owner-only (0600; a private
//!   DACL on Windows), written under an unpredictable temporary name in the same folder
//!   created exclusively (no planted file or link is ever written through), flushed, and
//!   only then given its name: a reader never sees half a file. An existing FILE is
//!   refused unless `--force`, which replaces it in one rename.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::platform::{self, Sharing};

/// Why writing the output failed.
#[derive(Debug)]
pub enum OutputError {
    /// FILE exists and `--force` was not given.
    Exists(PathBuf),
    /// FILE is a directory.
    IsDirectory(PathBuf),
    /// Writing the file (or standard output) failed.
    Io {
        path: Option<PathBuf>,
        error: io::Error,
    },
}

/// Refuse early, before any work is done (or audited), what would be refused at the end.
pub fn check_destination(path: &Path, force: bool) -> Result<(), OutputError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(OutputError::IsDirectory(path.to_path_buf())),
        Ok(_) if !force => Err(OutputError::Exists(path.to_path_buf())),
        _ => Ok(()),
    }
}

/// Run `write` against `dest` (a file, or standard output when `None`). Returns what
/// `write` returned, or `None` when standard output was closed by its reader.
pub fn write_to<T>(
    dest: Option<&Path>,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> Result<Option<T>, OutputError> {
    match dest {
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            match write(&mut out).and_then(|v| out.flush().map(|()| v)) {
                Ok(v) => Ok(Some(v)),
                Err(e) if is_broken_pipe(&e) => {
                    // Nothing more can reach the reader; drop what is buffered quietly.
                    let _ = out.into_parts();
                    Ok(None)
                }
                Err(e) => Err(OutputError::Io {
                    path: None,
                    error: e,
                }),
            }
        }
        Some(path) => write_file(path, force, write).map(Some),
    }
}

fn write_file<T>(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> Result<T, OutputError> {
    check_destination(path, force)?;
    let io_err = |error| OutputError::Io {
        path: Some(path.to_path_buf()),
        error,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io_err(io::Error::from(io::ErrorKind::InvalidInput)))?;
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", ulid::Ulid::new()));
    let result = (|| -> io::Result<T> {
        let file = platform::create_file(&tmp, Sharing::Owner, true)?;
        let mut out = BufWriter::new(file);
        let value = write(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        if force {
            platform::rename_durable(&tmp, path)?;
        } else {
            platform::rename_no_replace(&tmp, path)?;
        }
        Ok(value)
    })();
    match result {
        Ok(v) => Ok(v),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            if e.kind() == io::ErrorKind::AlreadyExists {
                Err(OutputError::Exists(path.to_path_buf()))
            } else {
                Err(io_err(e))
            }
        }
    }
}

/// Lines to standard output; a closed pipe ends them quietly.
pub fn print_lines<I: IntoIterator<Item = String>>(lines: I) -> io::Result<()> {
    write_to(None, false, |out| {
        for l in lines {
            writeln!(out, "{l}")?;
        }
        Ok(())
    })
    .map(|_| ())
    .map_err(|e| match e {
        OutputError::Io { error, .. } => error,
        _ => io::Error::other("stdout"),
    })
}

/// Whether `e` is a closed pipe, also when a writer (csv, serde_json) wrapped it.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    if platform::is_closed_pipe(e) {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> =
        e.get_ref().map(|r| r as &(dyn std::error::Error + 'static));
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<io::Error>() {
            if platform::is_closed_pipe(io) {
                return true;
            }
        }
        if let Some(c) = s.downcast_ref::<csv::Error>() {
            if let csv::ErrorKind::Io(io) = c.kind() {
                if platform::is_closed_pipe(io) {
                    return true;
                }
            }
        }
        source = s.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_is_recognised_inside_csv_and_json_errors() {
        let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&pipe()));
        // What csv's `?` into io::Error produces.
        let mut w = csv::Writer::from_writer(FailingWriter);
        let e: io::Error = w
            .write_record(["a"])
            .and_then(|()| w.flush().map_err(csv::Error::from))
            .unwrap_err()
            .into();
        assert!(is_broken_pipe(&e), "{e:?}");
        let e: io::Error = serde_json::to_writer(FailingWriter, &"x")
            .unwrap_err()
            .into();
        assert!(is_broken_pipe(&e));
        assert!(!is_broken_pipe(&io::Error::other("disk")));
        assert!(!is_broken_pipe(&io::Error::from(
            io::ErrorKind::StorageFull
        )));
    }

    struct FailingWriter;
    impl Write for FailingWriter {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
    }

    #[test]
    fn a_file_is_written_whole_and_never_over_an_existing_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_to(Some(&p), false, |w| w.write_all(b"one")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        match write_to(Some(&p), false, |w| w.write_all(b"two")) {
            Err(OutputError::Exists(_)) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_to(Some(&p), true, |w| w.write_all(b"three")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        // A failed write leaves neither a file nor a temporary behind.
        let q = dir.path().join("failed.csv");
        assert!(write_to(Some(&q), false, |_| Err::<(), _>(io::Error::other("x"))).is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["out.csv".to_string()]);
    }
}
