//! The card module against a real PC/SC stack: the `pcsc` crate → pcscd → the vpcd driver →
//! a virtual My Number Card (tests/vcard) speaking over TCP.
//!
//! vpcd has one slot (127.0.0.1:35963), so every test takes `STACK` and leaves the reader
//! empty. When pcscd or vpcd cannot be reached the tests fail with instructions; they never
//! skip. `scripts/dev test` installs and starts the stack.

mod common;
mod vcard;

use std::io::Write;
use std::process::Stdio;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::bin;
use onshi::card::apdu::{classify, EF_INDIVIDUAL_NUMBER};
use onshi::card::face::encode_basic4;
use onshi::card::{self, CardError, Monitor, Pin, ReaderState, Step};
use onshi::domain::record::Sex;
use vcard::{Fault, Spec, VirtualCard, AID_INPUT_SUPPORT};

static STACK: Mutex<()> = Mutex::new(());

const NAME: &str = "𠮷野\u{3000}葛\u{E0100}子"; // U+20BB7 (outside the BMP) and an IVS
const ADDRESS: &str = "東京都葛飾区柴又７丁目１－２３　髙橋ハイツ１０１";

fn face_file() -> Vec<u8> {
    encode_basic4(NAME.as_bytes(), ADDRESS.as_bytes(), b"19560401", b"2")
}

fn wait_until(what: &str, ok: impl Fn(&ReaderState) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let s = card::status();
        if ok(&s) {
            return;
        }
        if Instant::now() > deadline {
            panic!("PC/SC stack did not reach `{what}` within 5 s (last state: {s:?})");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Take the reader; fail loudly if the stack is not there.
fn stack() -> MutexGuard<'static, ()> {
    let guard = STACK.lock().unwrap_or_else(|e| e.into_inner());
    match card::status() {
        ReaderState::NoService => panic!(
            "pcscd is not running (no PC/SC service). Run `scripts/dev test`, which installs \
             pcscd and vsmartcard-vpcd and starts pcscd, or start `pcscd` yourself."
        ),
        ReaderState::NoReader => panic!(
            "pcscd runs but has no reader: the vsmartcard-vpcd driver must be installed before \
             pcscd starts (restart pcscd after installing it)."
        ),
        _ => {}
    }
    let names = pcsc::Context::establish(pcsc::Scope::User)
        .and_then(|c| c.list_readers_owned())
        .unwrap_or_default();
    assert!(
        names
            .iter()
            .any(|n| n.to_string_lossy().contains("Virtual PCD")),
        "no vpcd reader ('Virtual PCD') among {names:?}; install vsmartcard-vpcd and restart pcscd"
    );
    wait_until("empty reader", |s| *s == ReaderState::Empty);
    guard
}

fn insert(spec: Spec) -> VirtualCard {
    let c = VirtualCard::insert(spec);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !matches!(card::status(), ReaderState::CardPresent { .. }) {
        assert!(
            Instant::now() < deadline,
            "pcscd did not see the virtual card within 5 s (vpcd control messages: {:02X?})",
            c.controls()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    c
}

/// pcscd's insertion/removal counter for the vpcd slot the virtual card uses.
fn vpcd_events() -> Option<u32> {
    let ctx = pcsc::Context::establish(pcsc::Scope::User).ok()?;
    let name = ctx
        .list_readers_owned()
        .ok()?
        .into_iter()
        .find(|n| n.to_string_lossy().contains("Virtual PCD 00 00"))?;
    let mut rs = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
    ctx.get_status_change(Duration::ZERO, &mut rs).ok()?;
    Some(rs[0].event_count())
}

/// Wait until pcscd's reader thread itself has seen the card go. "Empty" alone is not
/// enough: after a failed transmit pcscd marks the reader empty at once, but its polling
/// thread only notices the removal on its next poll; a card inserted before that would be
/// taken for the old one and never reported.
fn wait_removed(events_before: Option<u32>) {
    wait_until("card removed", |s| {
        *s == ReaderState::Empty && vpcd_events() != events_before
    });
}

fn eject(c: VirtualCard) {
    let before = vpcd_events();
    c.remove();
    wait_removed(before);
}

fn pin(s: &str) -> Pin {
    Pin::parse(s).unwrap()
}

/// What every scenario must hold: every APDU the card saw was on the allow-list, and none
/// names the individual-number EF or any other application.
fn assert_only_allowed(apdus: &[Vec<u8>]) {
    for a in apdus {
        assert!(
            classify(a).is_some(),
            "APDU outside the allow-list: {a:02X?}"
        );
        if a.get(1) == Some(&0xA4) {
            assert!(
                !a.ends_with(&EF_INDIVIDUAL_NUMBER),
                "selected EF 0001: {a:02X?}"
            );
            if a.get(2) == Some(&0x04) {
                assert!(
                    a.ends_with(&AID_INPUT_SUPPORT),
                    "selected another AP: {a:02X?}"
                );
            }
        }
        if a.get(1) == Some(&0xB0) {
            assert_eq!(a[2] & 0x80, 0, "READ BINARY by short EF id: {a:02X?}");
        }
    }
}

fn verifies_with_data(apdus: &[Vec<u8>]) -> usize {
    apdus
        .iter()
        .filter(|a| a.starts_with(&[0x00, 0x20, 0x00, 0x80]) && a.len() > 4)
        .count()
}

#[test]
fn reads_the_card_face_incl_rare_kanji_and_ivs() {
    let _g = stack();
    let c = insert(Spec::my_number(face_file()));
    let face = card::read_face(&pin("1234"), false).expect("read");
    assert_eq!(face.name, NAME);
    assert_eq!(face.address, ADDRESS);
    assert_eq!(
        face.birth_date,
        NaiveDate::from_ymd_opt(1956, 4, 1).unwrap()
    );
    assert_eq!(face.sex, Some(Sex::Female));
    let apdus = c.apdus();
    assert_only_allowed(&apdus);
    assert_eq!(verifies_with_data(&apdus), 1);
    // The exact sequence of docs/card.md.
    let f = face_file();
    assert_eq!(
        apdus,
        vec![
            onshi::card::apdu::select_ap(),
            onshi::card::apdu::select_ef([0x00, 0x11]),
            vec![0x00, 0x20, 0x00, 0x80],
            vec![0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'],
            onshi::card::apdu::select_ef([0x00, 0x02]),
            vec![0x00, 0xB0, 0x00, 0x00, 0x07],
            vec![0x00, 0xB0, 0x00, 0x07, (f.len() - 7) as u8],
        ]
    );
    assert_eq!(card::pin_tries(), Ok(3));
    eject(c);
}

#[test]
fn a_wrong_pin_decrements_and_reports_the_tries_left() {
    let _g = stack();
    let c = insert(Spec::my_number(face_file()));
    assert_eq!(
        card::read_face(&pin("9999"), false).unwrap_err(),
        CardError::WrongPin { tries_left: 2 }
    );
    assert_eq!(c.tries_left(), 2);
    assert_eq!(card::pin_tries(), Ok(2));
    assert_eq!(
        card::read_face(&pin("0000"), false).unwrap_err(),
        CardError::WrongPin { tries_left: 1 }
    );
    // The right PIN restores the counter (as the card does).
    let face = card::read_face(&pin("1234"), true).expect("read with confirmed last try");
    assert_eq!(face.name, NAME);
    assert_eq!(c.tries_left(), 3);
    assert_only_allowed(&c.apdus());
    eject(c);
}

#[test]
fn refuses_the_last_try_without_confirmation() {
    let _g = stack();
    let c = insert(Spec {
        tries: 1,
        ..Spec::my_number(face_file())
    });
    assert_eq!(
        card::read_face(&pin("1234"), false).unwrap_err(),
        CardError::LastTryNeedsConfirmation
    );
    assert_eq!(
        verifies_with_data(&c.apdus()),
        0,
        "the PIN must not be sent"
    );
    assert_eq!(c.tries_left(), 1);
    // Confirmed and wrong: the card locks, and we say so.
    assert_eq!(
        card::read_face(&pin("1111"), true).unwrap_err(),
        CardError::PinLocked
    );
    assert_eq!(c.tries_left(), 0);
    assert_only_allowed(&c.apdus());
    eject(c);
}

#[test]
fn a_locked_card_is_explained_and_never_sent_the_pin() {
    let _g = stack();
    let c = insert(Spec {
        tries: 0,
        ..Spec::my_number(face_file())
    });
    let e = card::read_face(&pin("1234"), true).unwrap_err();
    assert_eq!(e, CardError::PinLocked);
    assert!(e.message(onshi::i18n::Lang::Ja).contains("市区町村窓口"));
    assert_eq!(card::pin_tries(), Ok(0));
    assert_eq!(verifies_with_data(&c.apdus()), 0);
    assert_only_allowed(&c.apdus());
    eject(c);
}

#[test]
fn garbage_in_the_basic4_file_is_a_clear_error() {
    let _g = stack();
    let cases: Vec<(Vec<u8>, CardError)> = vec![
        (
            vec![0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0],
            CardError::Garbled(card::FaceError::WrongTag),
        ),
        (
            encode_basic4(b"\xE5\xB1", ADDRESS.as_bytes(), b"19560401", b"2"),
            CardError::Garbled(card::FaceError::NotUtf8(card::FaceField::Name)),
        ),
        (
            encode_basic4(NAME.as_bytes(), ADDRESS.as_bytes(), b"19561301", b"2"),
            CardError::Garbled(card::FaceError::BadDate),
        ),
        (
            // The header promises more than the file holds.
            {
                let mut f = face_file();
                f.truncate(f.len() - 5);
                f
            },
            CardError::Garbled(card::FaceError::Truncated),
        ),
    ];
    for (file, want) in cases {
        let c = insert(Spec::my_number(file));
        assert_eq!(card::read_face(&pin("1234"), false).unwrap_err(), want);
        assert_only_allowed(&c.apdus());
        eject(c);
    }
}

#[test]
fn unexpected_status_words_name_the_step() {
    let _g = stack();
    for (ins, nth, sw, want) in [
        (0xB0, 1, 0x6982, Step::ReadBinary),
        (0xA4, 3, 0x6A82, Step::SelectBasic4),
        (0xA4, 2, 0x6A82, Step::SelectPinEf),
        (0x20, 1, 0x6E00, Step::QueryTries),
        (0x20, 2, 0x6700, Step::Verify),
    ] {
        let c = insert(Spec {
            fault: Fault::Status { ins, nth, sw },
            ..Spec::my_number(face_file())
        });
        assert_eq!(
            card::read_face(&pin("1234"), false).unwrap_err(),
            CardError::UnexpectedStatus { step: want, sw }
        );
        assert_only_allowed(&c.apdus());
        eject(c);
    }
}

#[test]
fn removal_mid_read_is_reported_as_removed() {
    let _g = stack();
    let c = VirtualCard::insert(Spec {
        fault: Fault::RemoveOnRead { nth: 2 },
        ..Spec::my_number(face_file())
    });
    wait_until("card present", |s| {
        matches!(s, ReaderState::CardPresent { .. })
    });
    let before = vpcd_events();
    let e = card::read_face(&pin("1234"), false).unwrap_err();
    assert_eq!(e, CardError::Removed, "{e}");
    assert_only_allowed(&c.apdus());
    drop(c);
    wait_removed(before);
    // And with nothing in the reader:
    assert_eq!(
        card::read_face(&pin("1234"), false).unwrap_err(),
        CardError::NoCard
    );
    assert_eq!(card::pin_tries(), Err(CardError::NoCard));
}

#[test]
fn another_card_is_not_a_my_number_card() {
    let _g = stack();
    let c = insert(Spec::other_card());
    assert_eq!(
        card::read_face(&pin("1234"), false).unwrap_err(),
        CardError::NotMyNumberCard
    );
    assert_eq!(c.apdus(), vec![onshi::card::apdu::select_ap()]);
    eject(c);
}

#[test]
fn the_monitor_follows_insertion_and_removal() {
    let _g = stack();
    let m = Monitor::spawn();
    let wait = |what: &str, ok: &dyn Fn(&ReaderState) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !ok(&m.state()) {
            assert!(
                Instant::now() < deadline,
                "monitor never showed {what}: {:?}",
                m.state()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait("an empty reader", &|s| *s == ReaderState::Empty);
    let g0 = m.generation();
    let c = VirtualCard::insert(Spec::my_number(face_file()));
    let deadline = Instant::now() + Duration::from_secs(5);
    while !matches!(m.state(), ReaderState::CardPresent { reader } if reader.contains("Virtual PCD"))
    {
        assert!(
            Instant::now() < deadline,
            "monitor never showed the card: {:?} (pcscd says {:?}; vpcd control messages {:02X?})",
            m.state(),
            card::status(),
            c.controls()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(m.generation() > g0);
    c.remove();
    wait("the removal", &|s| *s == ReaderState::Empty);
    let started = Instant::now();
    drop(m);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "stopping the monitor took too long"
    );
}

// ---- the command line, through the real binary ----

fn onshi(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bin::onshi();
    bin::private_home(&mut cmd, &dir.path().join("home"));
    cmd.args(args)
        .env("ONSHI_STORE", dir.path().join("store"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // `card status` exits without reading stdin: a broken pipe here is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_status_and_read() {
    let _g = stack();
    let (code, out, _) = onshi(&["--lang", "en", "card", "status"], "", &[]);
    assert_eq!((code, out.trim()), (0, "Card reader: no card"));

    let c = insert(Spec::my_number(face_file()));
    let (code, out, _) = onshi(&["--lang", "ja", "card", "status"], "", &[]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("カードリーダー：カードあり (Virtual PCD"),
        "{out}"
    );

    let (code, out, err) = onshi(&["--lang", "ja", "card", "read"], "1234\n", &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!("氏名：{NAME}\n住所：{ADDRESS}\n生年月日：1956-04-01 (昭和31年4月1日)\n性別：女\n")
    );
    assert!(!err.contains("1234"), "the PIN must not be echoed: {err}");

    let (code, out, err) = onshi(&["--lang", "en", "card", "read"], "4321\n", &[]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("Wrong PIN (tries left: 2)"), "{err}");

    let (code, _, err) = onshi(&["--lang", "en", "card", "read"], "12a4\n", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("The PIN is 4 digits"), "{err}");
    assert_eq!(c.tries_left(), 2);
    assert_only_allowed(&c.apdus());
    eject(c);
}

#[test]
fn cli_asks_before_the_last_try() {
    let _g = stack();
    let c = insert(Spec {
        tries: 1,
        ..Spec::my_number(face_file())
    });
    let (code, out, err) = onshi(&["--lang", "en", "card", "read"], "no\n1234\n", &[]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("Only 1 PIN try is left"), "{err}");
    assert!(err.contains("Cancelled"), "{err}");
    assert_eq!(verifies_with_data(&c.apdus()), 0);

    let (code, out, err) = onshi(&["--lang", "en", "card", "read"], "yes\n1234\n", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(NAME), "{out}");
    assert_only_allowed(&c.apdus());
    eject(c);

    let c = insert(Spec {
        tries: 0,
        ..Spec::my_number(face_file())
    });
    let (code, _, err) = onshi(&["--lang", "ja", "card", "read"], "1234\n", &[]);
    assert_eq!(code, 1);
    assert!(err.contains("市区町村窓口"), "{err}");
    assert_eq!(verifies_with_data(&c.apdus()), 0);
    eject(c);
}

/// No pcscd at all: libpcsclite is pointed at a socket that does not exist. Needs no reader,
/// so it does not take the stack lock.
#[test]
fn cli_without_pcscd_says_so() {
    let env = [("PCSCLITE_CSOCK_NAME", "/nonexistent/onshi-test/pcscd.comm")];
    let (code, out, _) = onshi(&["--lang", "en", "card", "status"], "", &env);
    assert_eq!(code, 1);
    let service = bin::pcsc_service_name();
    assert!(
        out.contains(service) && out.contains("is not running"),
        "{out}"
    );
    assert!(out.contains("manual entry"), "{out}");
    let (code, out, err) = onshi(&["--lang", "ja", "card", "read"], "1234\n", &env);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains(service), "{err}");
    assert!(err.contains("手入力"), "{err}");
}

/// On the form, one key reads the card (PIN typed masked) and fills the four
/// fields; the record says so; only allowed APDUs reached the card.
#[test]
fn the_desk_reads_the_card_into_the_form() {
    let _g = stack();
    let c = insert(Spec::my_number(face_file()));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let t = common::tmux::Tmux::start("card", &store, "--operator 佐藤");
    t.wait_for("カード:カードあり");
    // 3-1 (face-auth reader broken); the declaration is the last of its six sources.
    t.keys(&["F2", "3", "Down", "Down", "Down", "Down", "Down", "Enter"]);
    t.wait_for("被保険者資格申立書");
    t.keys(&["F12"]);
    t.wait_for("残り回数: 3");
    t.text("1234");
    let masked = t.wait_for("＊＊＊＊");
    assert!(!masked.contains("1234"), "the PIN is never drawn: {masked}");
    t.keys(&["Enter"]);
    let filled = t.wait_for("カードから氏名・住所・生年月日・性別を読み取りました");
    assert!(filled.contains("東京都葛飾区柴又"), "{filled}");
    assert!(filled.contains("1956-04-01"), "{filled}");
    // フリガナ is not on the card: typed as romaji, then the rest of the 申立書.
    t.text("yoshino kuzuko");
    t.keys(&[
        "Tab", "Tab", "Tab", "Tab", "Tab", "Right", "Right", "Tab", "Right",
    ]);
    // Born 1956-04-01, so 70 now: the form asks 一部負担金の割合 (2割).
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Tab", "Right", "Right", "F9"]);
    let review = t.wait_for("内容の確認");
    assert!(review.contains("ヨシノ　クズコ"), "{review}");
    t.keys(&["F5"]);
    t.wait_for("保存しました");
    t.keys(&["F10"]);
    t.wait_for("ONSHI-EXIT=0");
    drop(t);

    let out = bin::onshi()
        .args(["export", "--format", "jsonl", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rec["declaration"]["name"], NAME);
    assert_eq!(rec["declaration"]["address"], ADDRESS);
    assert_eq!(rec["declaration"]["birth_date"], "1956-04-01");
    assert_eq!(rec["declaration"]["sex"], "female");
    assert_eq!(rec["verification"]["card_read"], true);
    assert_eq!(
        c.tries_left(),
        3,
        "a right PIN resets nothing and uses no try"
    );
    assert_only_allowed(&c.apdus());
    eject(c);
}
