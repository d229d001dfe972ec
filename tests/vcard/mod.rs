//! A virtual My Number Card for the vpcd reader of vsmartcard.
//!
//! vpcd (the pcscd driver from `vsmartcard-vpcd`) listens on 127.0.0.1:35963; a virtual card
//! connects to it as a TCP client. Every message either way is a 2-byte big-endian length and
//! that many bytes (frankmorgner/vsmartcard `virtualsmartcard/src/vpcd/vpcd.c`: `sendToVICC`,
//! `recvFromVICC`). A 1-byte message from vpcd is a control message (`vpcd.h`): 0x00 power off,
//! 0x01 power on, 0x02 reset (no reply to these three), 0x04 "send the ATR" (reply: the ATR).
//! Anything longer is a command APDU; the reply is the response APDU (data + SW1 SW2). pcscd
//! asks for the ATR every ~400 ms to check that the card is still there (`vicc_present`), so
//! closing the socket is how a card is removed.
//!
//! The card holds the 券面事項入力補助AP with EF 0011 (PIN), 0002 (basic 4) and 0001 (the
//! individual number — present so that a read of it would be noticed), a try counter, fault
//! modes, and a log of every APDU it received.

#![allow(dead_code)] // each test uses a different part

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const VPCD_ADDR: &str = "127.0.0.1:35963";

/// The contact-interface ATR of the card, as OpenSC's card-jpki.c matches it.
pub const MYNA_ATR: &[u8] = &[0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];
/// A plain T=1 ATR for "some other card".
pub const OTHER_ATR: &[u8] = &[0x3B, 0x80, 0x80, 0x01, 0x01];

pub const AID_INPUT_SUPPORT: [u8; 10] =
    [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
pub const AID_JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// EF 0001 content of a test card: FF 10 0C + 12 digits.
pub const MY_NUMBER_FILE: &[u8] = &[
    0xFF, 0x10, 0x0C, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', b'9', b'0', b'1', b'8',
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Answer the `nth` (1-based) APDU whose INS is `ins` with `sw` instead of the real answer.
    Status {
        ins: u8,
        nth: usize,
        sw: u16,
    },
    /// Close the connection instead of answering the `nth` READ BINARY.
    RemoveOnRead {
        nth: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub atr: Vec<u8>,
    /// false: every SELECT by AID fails with 6A82 (some other card).
    pub my_number_card: bool,
    pub pin: [u8; 4],
    pub tries: u8,
    pub basic4: Vec<u8>,
    pub fault: Fault,
}

impl Spec {
    pub fn my_number(basic4: Vec<u8>) -> Spec {
        Spec {
            atr: MYNA_ATR.to_vec(),
            my_number_card: true,
            pin: *b"1234",
            tries: 3,
            basic4,
            fault: Fault::None,
        }
    }

    pub fn other_card() -> Spec {
        Spec {
            atr: OTHER_ATR.to_vec(),
            my_number_card: false,
            pin: *b"0000",
            tries: 3,
            basic4: Vec::new(),
            fault: Fault::None,
        }
    }
}

const MAX_TRIES: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Df {
    None,
    InputSupport,
    OtherAp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ef {
    None,
    Pin,
    Basic4,
    MyNumber,
}

struct CardState {
    spec: Spec,
    tries: u8,
    df: Df,
    ef: Ef,
    verified: bool,
    seen: Vec<u8>, // INS of every APDU, to count for faults
    reads: usize,
}

impl CardState {
    fn reset(&mut self) {
        self.df = Df::None;
        self.ef = Ef::None;
        self.verified = false;
    }

    /// `None` means: drop the connection instead of answering.
    fn answer(&mut self, apdu: &[u8]) -> Option<Vec<u8>> {
        let ins = *apdu.get(1).unwrap_or(&0);
        self.seen.push(ins);
        if ins == 0xB0 {
            self.reads += 1;
        }
        match self.spec.fault {
            Fault::Status { ins: i, nth, sw }
                if i == ins && self.seen.iter().filter(|&&x| x == i).count() == nth =>
            {
                return Some(sw.to_be_bytes().to_vec());
            }
            Fault::RemoveOnRead { nth } if ins == 0xB0 && self.reads == nth => return None,
            _ => {}
        }
        Some(self.process(apdu))
    }

    fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        let sw = |v: u16| v.to_be_bytes().to_vec();
        let (cla, ins, p1, p2) = match apdu {
            [a, b, c, d, ..] => (*a, *b, *c, *d),
            _ => return sw(0x6700),
        };
        if cla != 0x00 {
            return sw(0x6E00);
        }
        let body = &apdu[4..];
        // Lc-prefixed data (short APDUs only; that is all this card speaks).
        let data = match body {
            [] => &[][..],
            [lc, rest @ ..] if rest.len() >= usize::from(*lc) => &rest[..usize::from(*lc)],
            _ => &[][..],
        };
        match ins {
            0xA4 => match (p1, p2) {
                (0x04, 0x0C) => {
                    if !self.spec.my_number_card {
                        self.df = Df::None;
                        return sw(0x6A82);
                    }
                    self.ef = Ef::None;
                    self.verified = false;
                    self.df = if data == AID_INPUT_SUPPORT {
                        Df::InputSupport
                    } else if data == AID_JPKI {
                        Df::OtherAp
                    } else {
                        return sw(0x6A82);
                    };
                    sw(0x9000)
                }
                (0x02, 0x0C) => {
                    if self.df != Df::InputSupport {
                        return sw(0x6A82);
                    }
                    self.ef = match data {
                        [0x00, 0x11] => Ef::Pin,
                        [0x00, 0x02] => Ef::Basic4,
                        [0x00, 0x01] => Ef::MyNumber,
                        _ => return sw(0x6A82),
                    };
                    sw(0x9000)
                }
                _ => sw(0x6A86),
            },
            0x20 => {
                if self.ef != Ef::Pin || (p1, p2) != (0x00, 0x80) {
                    return sw(0x6986);
                }
                if body.is_empty() {
                    return sw(0x63C0 | u16::from(self.tries));
                }
                if self.tries == 0 {
                    return sw(0x6984);
                }
                if data == self.spec.pin {
                    self.tries = MAX_TRIES;
                    self.verified = true;
                    sw(0x9000)
                } else {
                    self.tries -= 1;
                    sw(0x63C0 | u16::from(self.tries))
                }
            }
            0xB0 => {
                if p1 & 0x80 != 0 {
                    // Short EF id: 0x81 would be EF 0001. Answer honestly so a test sees it.
                    self.ef = match p1 & 0x1F {
                        0x01 => Ef::MyNumber,
                        0x02 => Ef::Basic4,
                        _ => return sw(0x6A82),
                    };
                }
                let file: &[u8] = match self.ef {
                    Ef::Basic4 => &self.spec.basic4,
                    Ef::MyNumber => MY_NUMBER_FILE,
                    _ => return sw(0x6986),
                };
                if !self.verified {
                    return sw(0x6982);
                }
                let offset = if p1 & 0x80 != 0 {
                    usize::from(p2)
                } else {
                    usize::from(u16::from_be_bytes([p1, p2]))
                };
                if offset > file.len() {
                    return sw(0x6B00);
                }
                let le = match body {
                    [le] if *le == 0 => 256,
                    [le] => usize::from(*le),
                    _ => 256,
                };
                let end = (offset + le).min(file.len());
                let mut out = file[offset..end].to_vec();
                // 6282: end of file reached before Le bytes (ISO/IEC 7816-4).
                out.extend_from_slice(&sw(if end - offset < le { 0x6282 } else { 0x9000 }));
                out
            }
            _ => sw(0x6D00),
        }
    }
}

pub struct VirtualCard {
    state: Arc<Mutex<CardState>>,
    log: Arc<Mutex<Vec<Vec<u8>>>>,
    controls: Arc<Mutex<Vec<u8>>>,
    stream: TcpStream,
    thread: Option<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl VirtualCard {
    /// Connect to vpcd ("insert" the card). Fails the test with a clear message when vpcd is
    /// not reachable — never skips.
    pub fn insert(spec: Spec) -> VirtualCard {
        let deadline = Instant::now() + Duration::from_secs(5);
        let stream = loop {
            match TcpStream::connect(VPCD_ADDR) {
                Ok(s) => break s,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!(
                    "cannot reach the vpcd reader at {VPCD_ADDR}: {e}. The card tests need pcscd \
                     running with the vsmartcard-vpcd driver; `scripts/dev test` installs and \
                     starts both."
                ),
            }
        };
        stream.set_nodelay(true).ok();
        let tries = spec.tries;
        let state = Arc::new(Mutex::new(CardState {
            spec,
            tries,
            df: Df::None,
            ef: Ef::None,
            verified: false,
            seen: Vec::new(),
            reads: 0,
        }));
        let log = Arc::new(Mutex::new(Vec::new()));
        let controls = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let state = Arc::clone(&state);
            let log = Arc::clone(&log);
            let controls = Arc::clone(&controls);
            let mut stream = stream.try_clone().expect("clone vpcd socket");
            std::thread::spawn(move || serve(&mut stream, &state, &log, &controls))
        };
        VirtualCard {
            state,
            log,
            controls,
            stream,
            thread: Some(thread),
        }
    }

    /// Every APDU received so far, in order.
    pub fn apdus(&self) -> Vec<Vec<u8>> {
        lock(&self.log).clone()
    }

    /// The control messages received (power, reset, ATR requests): for failure reports.
    pub fn controls(&self) -> Vec<u8> {
        lock(&self.controls).clone()
    }

    pub fn tries_left(&self) -> u8 {
        lock(&self.state).tries
    }

    /// Close the connection ("pull the card out").
    pub fn remove(mut self) {
        self.close();
    }

    fn close(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for VirtualCard {
    fn drop(&mut self) {
        self.close();
    }
}

fn serve(
    stream: &mut TcpStream,
    state: &Mutex<CardState>,
    log: &Mutex<Vec<Vec<u8>>>,
    controls: &Mutex<Vec<u8>>,
) {
    loop {
        let mut len = [0u8; 2];
        if stream.read_exact(&mut len).is_err() {
            return;
        }
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if stream.read_exact(&mut msg).is_err() {
            return;
        }
        if let [c] = msg.as_slice() {
            lock(controls).push(*c);
        }
        let reply = match msg.as_slice() {
            [0x00] | [0x01] | [0x02] => {
                // Power off / on / reset: the chip forgets the selected files and the PIN.
                lock(state).reset();
                continue;
            }
            [0x04] => lock(state).spec.atr.clone(),
            [_] => continue,
            apdu => {
                lock(log).push(apdu.to_vec());
                match lock(state).answer(apdu) {
                    Some(r) => r,
                    None => {
                        let _ = stream.shutdown(Shutdown::Both);
                        return;
                    }
                }
            }
        };
        let mut out = Vec::with_capacity(reply.len() + 2);
        out.extend_from_slice(&(reply.len() as u16).to_be_bytes());
        out.extend_from_slice(&reply);
        if stream.write_all(&out).is_err() {
            return;
        }
    }
}
