//! PC/SC: finding a reader with a card, the transport, and the blocking entry points.

use std::time::Duration;

use pcsc::{Context, Disposition, Protocols, Scope, ShareMode, State};
use zeroize::Zeroizing;

use super::error::CardError;
use super::face::CardFace;
use super::pin::Pin;
use super::session::{Response, Session, Transport};
use super::ReaderState;

/// A PC/SC context. Any failure to get one means the service cannot be used, whatever
/// code it came with (a stopped Smart Card service on Windows answers "no service", an
/// incomplete WinSCard such as Wine's "internal error"): the clerk is told the card cannot
/// be read and manual entry goes on.
pub(crate) fn establish() -> Result<Context, CardError> {
    Context::establish(Scope::User).map_err(|_| CardError::NoService)
}

/// Errors that mean "the PC/SC service is not there (any more)".
pub(crate) fn is_service_gone(e: pcsc::Error) -> bool {
    matches!(
        e,
        pcsc::Error::NoService | pcsc::Error::ServiceStopped | pcsc::Error::InvalidHandle
    )
}

pub(crate) fn map_service(e: pcsc::Error) -> CardError {
    match e {
        e if is_service_gone(e) => CardError::NoService,
        pcsc::Error::NoReadersAvailable => CardError::NoReader,
        e => CardError::Pcsc(e.to_string()),
    }
}

pub(crate) fn map_connect(e: pcsc::Error) -> CardError {
    use pcsc::Error as E;
    match e {
        E::NoSmartcard | E::RemovedCard => CardError::NoCard,
        E::SharingViolation => CardError::ReaderInUse,
        E::UnresponsiveCard
        | E::UnpoweredCard
        | E::UnsupportedCard
        | E::ProtoMismatch
        | E::InvalidAtr => CardError::Unresponsive,
        E::ReaderUnavailable | E::UnknownReader => CardError::NoReader,
        e => map_service(e),
    }
}

pub(crate) fn map_transmit(e: pcsc::Error) -> CardError {
    use pcsc::Error as E;
    match e {
        // All the ways a card that was there a moment ago stops answering.
        E::RemovedCard
        | E::ResetCard
        | E::NoSmartcard
        | E::CommError
        | E::NotTransacted
        | E::UnpoweredCard
        | E::UnresponsiveCard
        | E::ReaderUnavailable
        | E::UnknownReader => CardError::Removed,
        e => map_service(e),
    }
}

/// Current state of every reader, asked without waiting.
fn reader_states(ctx: &Context) -> Result<Vec<pcsc::ReaderState>, CardError> {
    let names = match ctx.list_readers_owned() {
        Ok(n) => n,
        Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
        Err(e) => return Err(map_service(e)),
    };
    if names.is_empty() {
        return Err(CardError::NoReader);
    }
    let mut states: Vec<pcsc::ReaderState> = names
        .into_iter()
        .map(|n| pcsc::ReaderState::new(n, State::UNAWARE))
        .collect();
    match ctx.get_status_change(Duration::ZERO, &mut states) {
        Ok(()) | Err(pcsc::Error::Timeout) => Ok(states),
        Err(e) => Err(map_connect(e)),
    }
}

/// The first reader holding a card, or Empty.
pub(crate) fn summarize(states: &[pcsc::ReaderState]) -> ReaderState {
    states
        .iter()
        .find(|s| s.event_state().contains(State::PRESENT))
        .map_or(ReaderState::Empty, |s| ReaderState::CardPresent {
            reader: s.name().to_string_lossy().into_owned(),
        })
}

/// One look at the PC/SC stack, for `onshi card status` and `onshi doctor`. Blocks briefly
/// (local socket round trips to pcscd), never waits for a card.
pub fn status() -> ReaderState {
    let ctx = match establish() {
        Ok(c) => c,
        Err(_) => return ReaderState::NoService,
    };
    match reader_states(&ctx) {
        Ok(states) => summarize(&states),
        Err(CardError::NoReader) => ReaderState::NoReader,
        Err(CardError::NoService) => ReaderState::NoService,
        Err(_) => ReaderState::Unknown,
    }
}

/// Connect exclusively to the first reader with a responsive card.
///
/// Exclusive, so no other program can change the card's current file between our SELECT and
/// READ BINARY (another program selecting EF 0001 there would make us read the individual
/// number; the parser would also reject it, as it is not an `FF 20` object).
fn connect(ctx: &Context) -> Result<pcsc::Card, CardError> {
    let states = reader_states(ctx)?;
    let mut mute = false;
    for s in &states {
        let st = s.event_state();
        if !st.contains(State::PRESENT) {
            continue;
        }
        if st.contains(State::MUTE) {
            mute = true;
            continue;
        }
        return ctx
            .connect(s.name(), ShareMode::Exclusive, Protocols::ANY)
            .map_err(map_connect);
    }
    Err(if mute {
        CardError::Unresponsive
    } else {
        CardError::NoCard
    })
}

struct PcscTransport {
    card: pcsc::Card,
}

impl Transport for PcscTransport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Response, CardError> {
        let mut buf = Zeroizing::new([0u8; pcsc::MAX_BUFFER_SIZE]);
        let resp = self
            .card
            .transmit(apdu, &mut buf[..])
            .map_err(map_transmit)?;
        // A reader that loses the card mid-command can report success with no bytes (vpcd
        // does); without a status word there is no answer.
        let Some(split) = resp.len().checked_sub(2) else {
            return Err(CardError::Removed);
        };
        let (data, sw) = resp.split_at(split);
        let sw = match sw {
            [a, b] => u16::from_be_bytes([*a, *b]),
            _ => return Err(CardError::Removed),
        };
        Ok(Response {
            data: Zeroizing::new(data.to_vec()),
            sw,
        })
    }
}

fn with_session<R>(
    f: impl FnOnce(&mut Session<PcscTransport>) -> Result<R, CardError>,
) -> Result<R, CardError> {
    let ctx = establish()?;
    let card = connect(&ctx)?;
    let mut session = Session::new(PcscTransport { card });
    let out = f(&mut session);
    // Reset, so a verified PIN does not stay open for whatever uses the card next. A card
    // that is already gone makes this fail; nothing to do about that.
    let _ = session
        .into_transport()
        .card
        .disconnect(Disposition::ResetCard);
    out
}

/// Read the card face (blocking; call it off the UI thread).
///
/// Queries the PIN's tries first: 0 → [`CardError::PinLocked`] and 1 without
/// `confirm_last_try` → [`CardError::LastTryNeedsConfirmation`], in both cases without
/// sending the PIN. A wrong PIN → [`CardError::WrongPin`] with the tries left.
pub fn read_face(pin: &Pin, confirm_last_try: bool) -> Result<CardFace, CardError> {
    with_session(|s| s.read_face(pin, confirm_last_try))
}

/// Tries left on the PIN (0 = locked), without consuming one and without a PIN. Lets a UI
/// warn before the PIN is typed.
pub fn pin_tries() -> Result<u8, CardError> {
    with_session(|s| {
        s.select_pin()?;
        s.tries_left()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcsc_errors_map_to_their_own_variants() {
        use pcsc::Error as E;
        assert_eq!(map_service(E::NoService), CardError::NoService);
        assert_eq!(map_service(E::ServiceStopped), CardError::NoService);
        assert_eq!(map_service(E::NoReadersAvailable), CardError::NoReader);
        assert_eq!(map_connect(E::NoSmartcard), CardError::NoCard);
        assert_eq!(map_connect(E::SharingViolation), CardError::ReaderInUse);
        assert_eq!(map_connect(E::UnresponsiveCard), CardError::Unresponsive);
        assert_eq!(map_connect(E::NoService), CardError::NoService);
        assert_eq!(map_transmit(E::RemovedCard), CardError::Removed);
        assert_eq!(map_transmit(E::ResetCard), CardError::Removed);
        assert_eq!(map_transmit(E::ServiceStopped), CardError::NoService);
        assert!(matches!(
            map_transmit(E::InsufficientBuffer),
            CardError::Pcsc(_)
        ));
    }
}
