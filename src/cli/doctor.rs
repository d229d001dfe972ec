//! `onshi doctor`: one line per part a technician would check first — store, its size on
//! disk, config, keymap, card reader, sync target — each `OK` or `NG` with the reason. Exit 1 if any
//! part is NG. Never prints record contents.

use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use super::Setup;
use crate::config::SyncTarget;
use crate::i18n::{describe_io, describe_store_error, Lang, Msg};
use crate::keymap::Keymap;
use crate::store::{Store, StoreError};
use crate::sync::failure::{folder_msg, io_network_msg};
use crate::sync::{describe_target_error, Target};

/// How long the sync check waits for the receiver to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

struct Line {
    ok: bool,
    part: Msg,
    detail: String,
}

fn print(lang: Lang, lines: &[Line]) {
    let sep = match lang {
        Lang::Ja => "：",
        Lang::En => ": ",
    };
    let text = lines.iter().map(|l| {
        let mark = if l.ok { "OK" } else { "NG" };
        format!("{mark} {}{sep}{}", lang.t(l.part), l.detail)
    });
    // A closed pipe ends quietly; the exit code still says whether all is well.
    let _ = super::output::print_lines(text);
}

fn store_line(setup: &Setup) -> Line {
    let lang = setup.lang;
    // A check changes nothing: a store that does not exist yet is made by the first start
    // (or `onshi init`), not by doctor.
    if !setup.store_dir.exists() {
        return Line {
            ok: true,
            part: Msg::DoctorStore,
            detail: format!(
                "{} ({})",
                setup.store_dir.display(),
                lang.t(Msg::DoctorStoreNotYet)
            ),
        };
    }
    match Store::open(&setup.store_dir) {
        Ok(store) => Line {
            ok: true,
            part: Msg::DoctorStore,
            detail: format!(
                "{} ({} {}, {} {})",
                store.dir().display(),
                lang.t(Msg::StatusRecords),
                store.count(),
                lang.t(Msg::StatusQueued),
                store.outbox_len()
            ),
        },
        // Encrypted is a healthy state; doctor does not ask for the passphrase.
        Err(e) => Line {
            ok: matches!(e, StoreError::Locked),
            part: Msg::DoctorStore,
            detail: format!(
                "{}: {}",
                setup.store_dir.display(),
                describe_store_error(&e, lang)
            ),
        },
    }
}

/// How much disk the store takes: one line, also for an encrypted or busy store.
fn size_line(setup: &Setup) -> Line {
    let lang = setup.lang;
    if !setup.store_dir.exists() {
        return Line {
            ok: true,
            part: Msg::DoctorStoreSize,
            detail: format!("{} (0 B, {} 0)", human_size(0), lang.t(Msg::DoctorFiles)),
        };
    }
    match Store::disk_usage(&setup.store_dir) {
        Ok((bytes, files)) => Line {
            ok: true,
            part: Msg::DoctorStoreSize,
            detail: format!(
                "{} ({bytes} B, {} {files})",
                human_size(bytes),
                lang.t(Msg::DoctorFiles)
            ),
        },
        Err(e) => Line {
            ok: false,
            part: Msg::DoctorStoreSize,
            detail: format!("{}: {}", setup.store_dir.display(), describe_io(&e, lang)),
        },
    }
}

/// `12.3 MiB`: binary units, one decimal.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn keymap_line(setup: &Setup, keymap_arg: Option<&str>) -> Line {
    let name = keymap_arg
        .map(str::to_string)
        .or_else(|| setup.config.keymap.clone())
        .unwrap_or_else(|| "default".into());
    match Keymap::load(&name) {
        Ok(_) => Line {
            ok: true,
            part: Msg::DoctorKeymap,
            detail: name,
        },
        Err(e) => Line {
            ok: false,
            part: Msg::DoctorKeymap,
            detail: e.to_string(),
        },
    }
}

fn reader_line(lang: Lang) -> Line {
    let state = crate::card::status();
    // describe() starts with its own "カードリーダー：" head; the line has one already.
    let described = state.describe(lang);
    let detail = described
        .split_once(['：', ':'])
        .map(|(_, rest)| rest.trim().to_string())
        .unwrap_or(described);
    Line {
        // No reader is not a fault of onshi: manual entry always works. Say so, but
        // report it as NG so a technician setting up a reader sees it.
        ok: state.reader_available(),
        part: Msg::DoctorReader,
        detail,
    }
}

fn sync_line(setup: &Setup) -> Line {
    let lang = setup.lang;
    let cfg = &setup.config.sync;
    let target = match Target::from_config(cfg) {
        Ok(t) => t.for_desk(lang, false),
        Err(e) => {
            return Line {
                ok: false,
                part: Msg::DoctorSync,
                detail: describe_target_error(&e, lang),
            }
        }
    };
    if target.is_none() {
        return Line {
            ok: true,
            part: Msg::DoctorSync,
            detail: lang.t(Msg::SyncDisabled).to_string(),
        };
    }
    if let Target::Orca(orca) = &target {
        // One request that needs the credentials: reachable and accepted, or why not.
        return match orca.check() {
            Ok(_) => Line {
                ok: true,
                part: Msg::DoctorSync,
                detail: format!("orca {} ({})", orca.url(), lang.t(Msg::OrcaCredentialsOk)),
            },
            Err(e) => Line {
                ok: false,
                part: Msg::DoctorSync,
                detail: format!("orca {}: {e}", orca.url()),
            },
        };
    }
    match cfg.target {
        SyncTarget::Dir => {
            let dir = cfg.dir.clone().unwrap_or_default();
            let target = crate::sync::DirTarget::new(dir.clone());
            if !target.has_marker() {
                return Line {
                    ok: false,
                    part: Msg::DoctorSync,
                    detail: format!("dir {}", target.no_marker_message(lang)),
                };
            }
            // Writable is what matters: create (exclusively) and remove a probe file.
            let probe = dir.join(format!(".onshi-doctor-{}.tmp", ulid::Ulid::new()));
            let writable =
                crate::platform::create_file(&probe, crate::platform::Sharing::Owner, true)
                    .and_then(|f| {
                        drop(f);
                        std::fs::remove_file(&probe)
                    });
            Line {
                ok: writable.is_ok(),
                part: Msg::DoctorSync,
                detail: match writable {
                    Ok(()) => format!("dir {}", dir.display()),
                    Err(e) => format!("dir {}: {}", dir.display(), lang.t(folder_msg(&e))),
                },
            }
        }
        _ => {
            let url = cfg.url.clone().unwrap_or_default();
            let reach = reachable(&url);
            Line {
                ok: reach.is_ok(),
                part: Msg::DoctorSync,
                detail: match reach {
                    Ok(()) => format!("http {url}"),
                    Err(m) => format!(
                        "http {url}: {} ({})",
                        lang.t(Msg::SyncUnreachable),
                        lang.t(m)
                    ),
                },
            }
        }
    }
}

/// Whether the receiver accepts a TCP connection (no request is sent), or what stops it.
fn reachable(url: &str) -> Result<(), Msg> {
    let rest = url.split_once("://").ok_or(Msg::SyncUrlInvalid)?;
    let default_port = if rest.0.eq_ignore_ascii_case("https") {
        443
    } else {
        80
    };
    let authority = rest.1.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let with_port = if host_port
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        && !host_port.ends_with(']')
    {
        host_port.to_string()
    } else {
        format!("{host_port}:{default_port}")
    };
    let addrs: Vec<_> = with_port
        .to_socket_addrs()
        .map_err(|_| Msg::NetHostNotFound)?
        .collect();
    let mut last = Msg::NetHostNotFound;
    for a in addrs {
        match TcpStream::connect_timeout(&a, CONNECT_TIMEOUT) {
            Ok(_) => return Ok(()),
            Err(e) => last = io_network_msg(&e),
        }
    }
    Err(last)
}

pub fn run(
    setup: &Setup,
    config_line: Result<String, String>,
    keymap_arg: Option<&str>,
) -> ExitCode {
    let lang = setup.lang;
    let config = match config_line {
        Ok(path) => Line {
            ok: true,
            part: Msg::DoctorConfig,
            detail: path,
        },
        Err(e) => Line {
            ok: false,
            part: Msg::DoctorConfig,
            detail: e,
        },
    };
    let lines = [
        store_line(setup),
        size_line(setup),
        config,
        keymap_line(setup, keymap_arg),
        reader_line(lang),
        sync_line(setup),
    ];
    print(lang, &lines);
    if lines.iter().all(|l| l.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::{human_size, reachable};

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(12 * 1024 * 1024 + 300 * 1024), "12.3 MiB");
    }

    #[test]
    fn reachability_parses_urls_and_fails_cleanly() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(
            reachable(&format!("http://127.0.0.1:{port}/onshi/records")),
            Ok(())
        );
        drop(listener);
        assert!(reachable(&format!("http://127.0.0.1:{port}/x")).is_err());
        assert!(reachable("not a url").is_err());
    }
}
