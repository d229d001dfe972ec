//! `onshi export`: the latest version of every record, oldest first.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use super::{fail, open_store, ExportFormat, Setup};
use crate::i18n::{describe_store_error, Msg};

pub fn run(setup: &Setup, format: ExportFormat) -> ExitCode {
    let store = match open_store(setup) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut records = match store.list() {
        Ok(r) => r,
        Err(e) => {
            return fail(
                setup.lang,
                Msg::StoreIo,
                &describe_store_error(&e, setup.lang),
                1,
            )
        }
    };
    records.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = (|| -> io::Result<()> {
        match format {
            ExportFormat::Jsonl => {
                for r in &records {
                    serde_json::to_writer(&mut out, r)?;
                    out.write_all(b"\n")?;
                }
            }
        }
        out.flush()
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(setup.lang, Msg::StoreIo, &e.to_string(), 1),
    }
}
