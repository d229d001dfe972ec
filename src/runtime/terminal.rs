//! The terminal the desk draws on: set-up and restore, and a backend that sends only what
//! the terminal does not already have.
//!
//! ratatui's crossterm backend ends every frame with a fixed tail — reset of the colours
//! and attributes, "show cursor", and a move to where the cursor already is — which is
//! most of what one typed character sends (BENCHMARKS.md, "Bytes to the terminal").
//! [`Tracked`] wraps that backend and remembers what the terminal has: the attributes and
//! colours in force, where the cursor is and whether it is shown. It sends a change only
//! when it is one, so typing a character at the cursor sends little more than the
//! character. Every command still goes through crossterm, which speaks the Windows
//! console's API where the console has no escape sequences (docs/platforms.md).

use std::cell::Cell as Shared;
use std::io::{self, BufWriter, Stdout, Write};

use crossterm::cursor::{Hide, MoveTo, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::style::{
    Attribute as CAttribute, Print, SetAttribute, SetBackgroundColor, SetForegroundColor,
    SetUnderlineColor,
};
use crossterm::terminal::{Clear, ClearType as CClearType, EnterAlternateScreen};
use crossterm::{execute, queue};
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use unicode_width::UnicodeWidthChar;

use ratatui::backend::IntoCrossterm;

/// The colours and attributes a cell is drawn with (SGR state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sgr {
    fg: Color,
    bg: Color,
    underline: Color,
    modifier: Modifier,
}

impl Sgr {
    /// What `ESC[0m` leaves.
    const RESET: Sgr = Sgr {
        fg: Color::Reset,
        bg: Color::Reset,
        underline: Color::Reset,
        modifier: Modifier::empty(),
    };

    fn of(cell: &Cell) -> Sgr {
        Sgr {
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

/// A crossterm backend that remembers the terminal's state and drops what would not
/// change it. `None` in a field means "not known": the next use sends it in full.
pub struct Tracked<W: Write> {
    inner: CrosstermBackend<W>,
    sgr: Option<Sgr>,
    cursor: Option<Position>,
    visible: Option<bool>,
    /// Columns, as last asked of the terminal (printing into the last one leaves the
    /// cursor in a state terminals disagree about).
    width: Shared<u16>,
}

impl<W: Write> Tracked<W> {
    pub fn new(writer: W) -> Tracked<W> {
        Tracked {
            inner: CrosstermBackend::new(writer),
            sgr: None,
            cursor: None,
            visible: None,
            width: Shared::new(u16::MAX),
        }
    }

    /// For a terminal whose size is known without asking it (benches, tests).
    pub fn with_width(writer: W, width: u16) -> Tracked<W> {
        let t = Tracked::new(writer);
        t.width.set(width);
        t
    }

    /// Leave the terminal with plain attributes (before handing it back to the shell).
    pub fn reset(&mut self) -> io::Result<()> {
        if self.sgr != Some(Sgr::RESET) {
            queue!(self.inner, SetAttribute(CAttribute::Reset))?;
            self.sgr = Some(Sgr::RESET);
        }
        Backend::flush(&mut self.inner)
    }

    /// The attributes in force, sending a reset first when they are not known.
    fn known_sgr(&mut self) -> io::Result<Sgr> {
        match self.sgr {
            Some(s) => Ok(s),
            None => {
                queue!(self.inner, SetAttribute(CAttribute::Reset))?;
                self.sgr = Some(Sgr::RESET);
                Ok(Sgr::RESET)
            }
        }
    }

    fn set_sgr(&mut self, want: Sgr) -> io::Result<()> {
        let have = self.known_sgr()?;
        if have == want {
            return Ok(());
        }
        if have.modifier != want.modifier {
            queue_modifier_diff(&mut self.inner, have.modifier, want.modifier)?;
        }
        if have.fg != want.fg {
            queue!(self.inner, SetForegroundColor(want.fg.into_crossterm()))?;
        }
        if have.bg != want.bg {
            queue!(self.inner, SetBackgroundColor(want.bg.into_crossterm()))?;
        }
        if have.underline != want.underline {
            queue!(
                self.inner,
                SetUnderlineColor(want.underline.into_crossterm())
            )?;
        }
        self.sgr = Some(want);
        Ok(())
    }

    /// Where the cursor is after printing `symbol` at (x, y): one cell further per column
    /// of a single character. After several characters in one cell (a kanji with its
    /// variation selector, an emoji sequence), a zero-width one, or at the right edge,
    /// terminals disagree: not known, so the next cell is placed explicitly.
    fn after_print(&self, x: u16, y: u16, symbol: &str) -> Option<Position> {
        let mut chars = symbol.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return None;
        };
        let w = c.width().filter(|w| *w > 0)? as u16;
        let next = x.checked_add(w)?;
        (next < self.width.get()).then_some(Position { x: next, y })
    }
}

impl<W: Write> Backend for Tracked<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        for (x, y, cell) in content {
            let at = Position { x, y };
            if self.cursor != Some(at) {
                queue!(self.inner, MoveTo(x, y))?;
            }
            self.set_sgr(Sgr::of(cell))?;
            let symbol = cell.symbol();
            queue!(self.inner, Print(symbol))?;
            self.cursor = self.after_print(x, y, symbol);
        }
        // No reset at the end of the frame: the attributes stay known for the next one
        // (they are reset before clearing and before the terminal is handed back).
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.visible != Some(false) {
            queue!(self.inner, Hide)?;
            self.visible = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.visible != Some(true) {
            queue!(self.inner, Show)?;
            self.visible = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        if self.cursor != Some(p) {
            queue!(self.inner, MoveTo(p.x, p.y))?;
            self.cursor = Some(p);
        }
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // Terminals erase with the background colour in force: plain first.
        if self.sgr != Some(Sgr::RESET) {
            queue!(self.inner, SetAttribute(CAttribute::Reset))?;
            self.sgr = Some(Sgr::RESET);
        }
        let how = match clear_type {
            ClearType::All => CClearType::All,
            ClearType::AfterCursor => CClearType::FromCursorDown,
            ClearType::BeforeCursor => CClearType::FromCursorUp,
            ClearType::CurrentLine => CClearType::CurrentLine,
            ClearType::UntilNewLine => CClearType::UntilNewLine,
        };
        // The Windows console's own API moves the cursor when it clears.
        self.cursor = None;
        execute!(self.inner, Clear(how))
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.cursor = None;
        self.inner.append_lines(n)
    }

    fn size(&self) -> io::Result<Size> {
        let size = self.inner.size()?;
        self.width.set(size.width);
        Ok(size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

/// The attribute changes from `from` to `to`, as ratatui's crossterm backend sends them
/// (bold and dim share one "normal intensity" off switch).
fn queue_modifier_diff(w: &mut impl Write, from: Modifier, to: Modifier) -> io::Result<()> {
    let removed = from - to;
    let added = to - from;
    if removed.contains(Modifier::REVERSED) {
        queue!(w, SetAttribute(CAttribute::NoReverse))?;
    }
    let reset_intensity = removed.intersects(Modifier::BOLD | Modifier::DIM);
    if reset_intensity {
        queue!(w, SetAttribute(CAttribute::NormalIntensity))?;
        if to.contains(Modifier::DIM) {
            queue!(w, SetAttribute(CAttribute::Dim))?;
        }
        if to.contains(Modifier::BOLD) {
            queue!(w, SetAttribute(CAttribute::Bold))?;
        }
    }
    let off = [
        (Modifier::ITALIC, CAttribute::NoItalic),
        (Modifier::UNDERLINED, CAttribute::NoUnderline),
        (Modifier::CROSSED_OUT, CAttribute::NotCrossedOut),
        (Modifier::HIDDEN, CAttribute::NoHidden),
    ];
    for (m, a) in off {
        if removed.contains(m) {
            queue!(w, SetAttribute(a))?;
        }
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        queue!(w, SetAttribute(CAttribute::NoBlink))?;
        // NoBlink ends both kinds; one still wanted is switched on again below.
    }
    let blink_back = removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK);
    let on = [
        (Modifier::REVERSED, CAttribute::Reverse),
        (Modifier::ITALIC, CAttribute::Italic),
        (Modifier::UNDERLINED, CAttribute::Underlined),
        (Modifier::CROSSED_OUT, CAttribute::CrossedOut),
        (Modifier::HIDDEN, CAttribute::Hidden),
    ];
    if added.contains(Modifier::BOLD) && !reset_intensity {
        queue!(w, SetAttribute(CAttribute::Bold))?;
    }
    if added.contains(Modifier::DIM) && !reset_intensity {
        queue!(w, SetAttribute(CAttribute::Dim))?;
    }
    for (m, a) in on {
        if added.contains(m) {
            queue!(w, SetAttribute(a))?;
        }
    }
    let blink = |m: Modifier| added.contains(m) || (blink_back && to.contains(m));
    if blink(Modifier::SLOW_BLINK) {
        queue!(w, SetAttribute(CAttribute::SlowBlink))?;
    }
    if blink(Modifier::RAPID_BLINK) {
        queue!(w, SetAttribute(CAttribute::RapidBlink))?;
    }
    Ok(())
}

/// Output is gathered per frame and written at once (one write, one SSH packet).
type Out = BufWriter<Stdout>;

/// The desk's terminal: raw mode, the alternate screen and bracketed paste while it lives;
/// all restored when it is dropped, also on an early return or a panic.
pub struct Screen {
    terminal: Terminal<Tracked<Out>>,
}

impl Screen {
    pub fn start() -> io::Result<Screen> {
        restore_on_panic();
        crossterm::terminal::enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen)?;
        // A console without VT processing cannot do bracketed paste; pasted text then
        // arrives as keys, which works too.
        let _ = execute!(io::stdout(), EnableBracketedPaste);
        let backend = Tracked::new(BufWriter::with_capacity(1 << 16, io::stdout()));
        let terminal = match Terminal::new(backend) {
            Ok(t) => t,
            Err(e) => {
                ratatui::restore();
                return Err(e);
            }
        };
        Ok(Screen { terminal })
    }

    pub fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame)) -> io::Result<()> {
        self.terminal.draw(render).map(|_| ())
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        let _ = self.terminal.backend_mut().reset();
        let _ = execute!(io::stdout(), DisableBracketedPaste);
        ratatui::restore();
    }
}

/// A panic puts the terminal back before the message is printed (once per process).
fn restore_on_panic() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            ratatui::restore();
            hook(info);
        }));
    });
}
