use super::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, m)
}

#[test]
fn shipped_maps_parse_and_bind_every_action() {
    for (name, src) in SHIPPED {
        let map = Keymap::parse(name, src, None).expect(name);
        for ctx in Ctx::ALL {
            for a in ctx.actions() {
                assert!(!map.keys(ctx, a).is_empty(), "{name}: {ctx:?}.{a:?}");
            }
        }
    }
}

#[test]
fn lookup_uses_the_stack_in_order() {
    let map = Keymap::shipped_default();
    let f5 = key(KeyCode::F(5), KeyModifiers::NONE);
    assert_eq!(map.lookup(Stack::FormText, &f5), Some(Action::Save));
    let f10 = key(KeyCode::F(10), KeyModifiers::NONE);
    assert_eq!(map.lookup(Stack::Home, &f10), Some(Action::Quit));
    let a = key(KeyCode::Char('a'), KeyModifiers::NONE);
    assert_eq!(map.lookup(Stack::FormText, &a), None);
    let ctrl_q = key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert_eq!(map.lookup(Stack::FormText, &ctrl_q), Some(Action::Quit));
    let backtab = key(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(
        map.lookup(Stack::FormChoice, &backtab),
        Some(Action::PrevField)
    );
}

#[test]
fn chords_parse_and_print() {
    for s in [
        "F1", "C-s", "A-x", "S-Up", "Enter", "Space", "k", "-", "+", "C-+", "BackTab",
    ] {
        let c = Chord::parse(s).unwrap();
        assert_eq!(Chord::parse(&c.to_string()).unwrap(), c, "{s}");
    }
    // Shown as on the keys and in Windows menus, and read back in that spelling too.
    for (written, shown) in [
        ("C-q", "Ctrl+Q"),
        ("A-x", "Alt+X"),
        ("S-Up", "Shift+Up"),
        ("BackTab", "Shift+Tab"),
        ("S-Tab", "Shift+Tab"),
        ("C-S-F5", "Ctrl+Shift+F5"),
        ("k", "k"),
    ] {
        let c = Chord::parse(written).unwrap();
        assert_eq!(c.to_string(), shown, "{written}");
        assert_eq!(Chord::parse(shown).unwrap(), c, "{shown}");
    }
    assert_eq!(
        Chord::parse("S-Tab").unwrap(),
        Chord::parse("BackTab").unwrap()
    );
    assert!(matches!(
        Chord::parse("Hyper+a"),
        Err(ChordError::UnknownModifier(_))
    ));
    assert!(matches!(
        Chord::parse("F13"),
        Err(ChordError::UnknownKey(_))
    ));
    assert!(matches!(
        Chord::parse("X-a"),
        Err(ChordError::UnknownModifier(_))
    ));
    assert!(matches!(Chord::parse(""), Err(ChordError::Empty)));
}

#[test]
fn user_file_overrides_single_binding() {
    let src = "extends = \"default\"\n[home]\nnew_intake = [\"F11\"]\n";
    let map = Keymap::parse("mine.toml", src, None).unwrap();
    let f3 = key(KeyCode::F(11), KeyModifiers::NONE);
    let f2 = key(KeyCode::F(2), KeyModifiers::NONE);
    assert_eq!(map.lookup(Stack::Home, &f3), Some(Action::NewIntake));
    assert_eq!(map.lookup(Stack::Home, &f2), None);
    // Untouched bindings still come from the base.
    let f8 = key(KeyCode::F(8), KeyModifiers::NONE);
    assert_eq!(map.lookup(Stack::Home, &f8), Some(Action::Void));
}

#[test]
fn errors_name_file_line_and_key() {
    let src = "extends = \"default\"\n\n[home]\nnew_intake = [\"F1\"]\n";
    let e = Keymap::parse("mine.toml", src, None).unwrap_err();
    assert_eq!(e.file, "mine.toml");
    assert_eq!(e.line, Some(4), "{e}");
    assert!(e.detail.contains("F1"), "{e}");

    let e = Keymap::parse(
        "m.toml",
        "extends = \"default\"\n[form]\nsave = [\"Hyper-x\"]\n",
        None,
    )
    .unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.detail.contains("Hyper-x"), "{e}");

    let e = Keymap::parse(
        "m.toml",
        "extends = \"default\"\n[form]\nsave = [\"s\"]\n",
        None,
    )
    .unwrap_err();
    assert!(e.detail.contains("typed"), "{e}");

    let e = Keymap::parse("m.toml", "[form\n", None).unwrap_err();
    assert_eq!(e.line, Some(1), "{e}");

    let e = Keymap::parse("m.toml", "[global]\nquit = [\"F10\"]\n", None).unwrap_err();
    assert!(e.detail.contains("not bound"), "{e}");

    let e = Keymap::parse("m.toml", "extends = \"nope\"\n", None).unwrap_err();
    assert!(e.detail.contains("nope"), "{e}");

    let e = Keymap::parse(
        "m.toml",
        "extends = \"default\"\n[home]\nfly = [\"F3\"]\n",
        None,
    )
    .unwrap_err();
    assert!(e.detail.contains("fly"), "{e}");
}

/// Every stack a screen can look keys up in is checked for conflicts: one key bound in two
/// of a stack's contexts is refused, naming both.
#[test]
fn every_key_stack_is_checked_for_conflicts() {
    for stack in Stack::ALL {
        let ctxs = stack.contexts();
        assert!(ctxs.len() >= 2, "{stack:?}");
        let first = ctxs[0];
        let last = ctxs[ctxs.len() - 1];
        let a = first.actions().next().unwrap();
        let b = last.actions().find(|x| *x != a).unwrap();
        let src = format!(
            "extends = \"default\"\n[{}]\n{} = [\"A-F11\"]\n[{}]\n{} = [\"A-F11\"]\n",
            first.name(),
            a.name(),
            last.name(),
            b.name()
        );
        let e = Keymap::parse("m.toml", &src, None).expect_err(&format!("{stack:?}"));
        assert!(
            e.detail.contains(a.name()) && e.detail.contains(b.name()),
            "{stack:?}: {e}"
        );
    }
}
