//! `onshi print ID --format html|txt`: the filled 被保険者資格申立書 from the real binary,
//! and the HTML rendered by a real headless Chromium (screenshot and DOM). Chromium is
//! installed by `scripts/dev test`; without it the test fails, it does not skip.

mod audit_support;
mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use audit_support::{assert_no_personal, code, ok, text, Desk};
use common::{bin, fixtures};
use onshi::domain::record::{Record, Signer, Status};
use onshi::store::AuditAction;
use unicode_width::UnicodeWidthStr;

/// A guardian-signed declaration with values that must be escaped in HTML.
fn guardian_record() -> Record {
    let mut r = fixtures::record();
    r.declaration.signer = Some(Signer::Guardian);
    r.declaration.signer_relationship = Some("母".into());
    r.declaration.employer_name = Some("株式会社<script>alert(1)</script>&\"'".into());
    r
}

#[test]
fn txt_has_the_form_in_aligned_columns() {
    let desk = Desk::new();
    let rec = guardian_record();
    desk.seed(std::slice::from_ref(&rec), "佐藤");
    let out = ok(&desk.onshi(&["print", &rec.id, "--format", "txt"]));
    // The official form (別紙様式 of the MHLW guidance, seed l.130–166), in its words;
    // long sentences wrap, so they are looked for with the line breaks taken out.
    let joined = out.replace('\n', "");
    for needle in [
        "被保険者資格申立書",
        "有効な保険証の交付を受けており、医療保険等の被保険者資格について、下記の通り申し立てます。",
        "※ □には、あてはまる場合に「✓」を記入してください。",
        "1 保険証等に関する事項",
        "2 マイナンバーカードの券面事項",
        "☑有効な保険証の交付を受けている",
        "☑社保",
        "☐国保",
        "☐後期",
        "☐わからない",
        "☑それより前",
        "☑3割",
        "☑男",
        "☐女",
        "☑昭和",
        "56年4月1日",
        "※1 保険種別で社保",
        "保険者が国民健康保険組合の場合は、事業所名の記載をお願いします。",
        "保険者から差額を請求等させていただく場合があります。",
        "※3 マイナンバーカードの表面に記載された内容（フリガナを除く）をそのまま記載してください。",
        "※4 (患者との関係)欄は、保護者の方が署名された場合にご記入ください。",
        fixtures::NAME,
        fixtures::KANA,
        fixtures::ADDRESS,
        fixtures::PHONE,
        "令和8年11月28日", // 申立日
        "署名",
        "患者との関係※4",
        "母",
        &rec.id,
    ] {
        assert!(joined.contains(needle), "missing {needle:?}:\n{out}");
    }
    // Values start in one column whatever the width of the label (kanji count double).
    let col = |label: &str| {
        let line = out
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no line for {label}:\n{out}"));
        let value_start = line[label.len()..]
            .find(|c: char| c != ' ')
            .map(|i| label.len() + i)
            .unwrap();
        line[..value_start].width_cjk()
    };
    let c = col("氏名");
    for label in [
        "フリガナ",
        "生年月日",
        "住所",
        "連絡先電話番号",
        "保険種別",
        "申立日",
    ] {
        assert_eq!(col(label), c, "{label} column:\n{out}");
    }
    // A signature line to write on.
    assert!(out
        .lines()
        .any(|l| l.starts_with("署名 ") && l.contains("_____")));
    // Plain text: no markup left from escaping.
    assert!(out.contains("<script>alert(1)</script>"));
}

#[test]
fn only_a_declaration_prints_and_the_relationship_is_the_guardians() {
    let desk = Desk::new();
    // Signed by the patient: 患者との関係 stays empty (※4, seed l.166).
    let own = fixtures::record();
    // Case 1 rests on the patient's statement, a document-verified intake on the document:
    // neither is a 申立書 (its premise 「有効な保険証の交付を受けており」, seed l.134).
    let mut statement = fixtures::record();
    statement.id = "01JDQ7Z3X4K5M6N7P8Q9R0S1T3".into();
    statement.incident.case = onshi::domain::record::IncidentCase::NotIssued;
    statement.verification.source = onshi::domain::record::VerificationSource::Statement;
    let mut document = fixtures::record();
    document.id = "01JDQ7Z3X4K5M6N7P8Q9R0S1T4".into();
    document.verification.source = onshi::domain::record::VerificationSource::Certificate;
    desk.seed(&[own.clone(), statement.clone(), document.clone()], "佐藤");
    let out = ok(&desk.onshi(&["print", &own.id, "--format", "txt"]));
    let line = out
        .lines()
        .find(|l| l.starts_with("患者との関係"))
        .expect("relationship line");
    assert_eq!(line.trim_end(), "患者との関係※4", "{out}");
    for (rec, how) in [(&statement, "患者の申告"), (&document, "資格確認書")] {
        let out = desk.onshi(&["print", &rec.id, "--format", "html"]);
        assert_eq!(code(&out), 1);
        assert!(out.stdout.is_empty());
        let err = text(&out.stderr);
        assert!(
            err.contains("申立書ではありません") && err.contains(how),
            "{err}"
        );
    }
}

#[test]
fn english_sub_labels_on_request() {
    let desk = Desk::new();
    let rec = fixtures::record();
    desk.seed(std::slice::from_ref(&rec), "佐藤");
    let ja = ok(&desk.onshi(&["print", &rec.id, "--format", "txt"]));
    let en = ok(&desk.onshi(&["--lang", "en", "print", &rec.id, "--format", "txt"]));
    assert!(!ja.contains("Insurance kind"));
    for needle in [
        "保険種別 / Insurance kind",
        "Declaration of health insurance",
        "氏名 / Name",
    ] {
        assert!(en.contains(needle), "missing {needle:?}:\n{en}");
    }
    let html = ok(&desk.onshi(&["print", &rec.id, "--format", "html", "--lang", "en"]));
    assert!(html.contains("<span class=\"en\">Insurance kind</span>"));
}

#[test]
fn html_is_self_contained_and_escaped() {
    let desk = Desk::new();
    let rec = guardian_record();
    desk.seed(std::slice::from_ref(&rec), "佐藤");
    let html = ok(&desk.onshi(&["print", &rec.id, "--format", "html"]));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("size: A4"), "A4 print CSS");
    assert!(html.contains("株式会社&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;"));
    let lower = html.to_lowercase();
    for banned in [
        "<script",
        "<link",
        "<img",
        "@import",
        "url(",
        "http://",
        "https://",
        "@font-face",
    ] {
        assert!(!lower.contains(banned), "{banned} in the page");
    }
    assert!(html.contains(fixtures::NAME));
    assert!(html.contains("☑") && html.contains("☐"));
}

#[test]
fn versions_voids_files_and_missing_ids() {
    let desk = Desk::new();
    let rec = fixtures::record();
    desk.seed(std::slice::from_ref(&rec), "佐藤");
    {
        let store = desk.open();
        let mut v2 = fixtures::next_version(&rec);
        v2.declaration.address = "東京都港区芝公園４－２－８".into();
        store.update(&v2, "佐藤", AuditAction::Edit).unwrap();
        let mut v3 = fixtures::next_version(&v2);
        v3.status = Status::Voided;
        v3.void_reason = Some("重複".into());
        store.update(&v3, "佐藤", AuditAction::Void).unwrap();
    }
    let latest = ok(&desk.onshi(&["print", &rec.id, "--format", "txt"]));
    assert!(latest.contains("芝公園") && latest.contains("取り消されています"));
    let v1 = ok(&desk.onshi(&["print", &rec.id, "--format", "txt", "--version", "1"]));
    assert!(v1.contains(fixtures::ADDRESS) && !v1.contains("取り消されています"));

    // An existing file is not replaced by accident: refused, untouched.
    let file = desk.path("form.html");
    fs::write(&file, "old").unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    let print_to = |extra: &[&str]| {
        let mut args = vec![
            "print",
            &rec.id,
            "--format",
            "html",
            "-o",
            file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        desk.onshi(&args)
    };
    let out = print_to(&[]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "old");
    if !bin::under_wine() {
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "a refused print changed the file's mode");
    }
    // --force replaces it in one rename, owner-only.
    let out = print_to(&["--force"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    bin::assert_owner_only(&file);
    assert!(fs::read_to_string(&file).unwrap().contains("芝公園"));
    // Only the file itself is there: no temporary left beside it.
    let names: Vec<String> = fs::read_dir(desk.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");

    for args in [
        vec!["print", "01JDQ7Z3X4K5M6N7P8Q9R0S1T2", "--format", "txt"],
        vec!["print", &rec.id, "--format", "txt", "--version", "9"],
    ] {
        let out = desk.onshi(&args);
        assert_eq!(code(&out), 1, "{args:?}");
        assert!(text(&out.stderr).contains("記録が見つかりません"));
    }
    let out = desk.onshi(&["print", &rec.id, "--format", "pdf"]);
    assert_eq!(code(&out), 2);
    assert_no_personal("print stderr", &desk.all_stderr());
}

// ---- Chromium ----

fn chromium() -> &'static str {
    for c in ["chromium", "chromium-browser"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return c;
        }
    }
    panic!(
        "headless Chromium is needed for the print layout test and was not found \
         (scripts/dev test installs the Debian package `chromium`)"
    );
}

/// Run Chromium headless on `html` with `args`, in its own profile, with a time limit.
fn run_chromium(html: &Path, profile: &Path, args: &[String]) -> std::process::Output {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", html.display()))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start chromium");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("wait chromium").is_some() {
            return child.wait_with_output().expect("chromium output");
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn html_renders_in_headless_chromium() {
    let desk = Desk::new();
    let rec = guardian_record();
    desk.seed(std::slice::from_ref(&rec), "佐藤");
    let html = desk.path("form.html");
    ok(&desk.onshi(&[
        "print",
        &rec.id,
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]));

    // A4 at 96 dpi.
    let (w, h) = (794u32, 1123u32);
    let png_path = desk.path("form.png");
    let out = run_chromium(
        &html,
        &desk.path("chromium-profile"),
        &[
            format!("--screenshot={}", png_path.display()),
            format!("--window-size={w},{h}"),
        ],
    );
    assert!(
        png_path.exists(),
        "no screenshot; chromium said: {}",
        text(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(&png_path).unwrap()));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("png size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!((info.width, info.height), (w, h));
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    // Luminance per pixel: a blank page is all one value; a form has black lines and text
    // on white.
    let lum: Vec<f64> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    let dark = lum.iter().filter(|&&l| l < 96.0).count() as f64 / lum.len() as f64;
    let white = lum.iter().filter(|&&l| l > 240.0).count() as f64 / lum.len() as f64;
    assert!(var > 200.0, "page looks blank (variance {var:.1})");
    assert!(dark > 0.01, "too little ink ({:.2}%)", dark * 100.0);
    assert!(
        white > 0.5,
        "not a white page ({:.2}% white)",
        white * 100.0
    );
    // The form's rules and text sit inside the page, both halves used (one A4 page).
    let row_ink = |y: u32| (0..w).filter(|&x| lum[(y * w + x) as usize] < 96.0).count();
    let inked_rows: Vec<u32> = (0..h).filter(|&y| row_ink(y) > 0).collect();
    assert!(
        inked_rows.first().is_some_and(|&y| y < h / 4),
        "starts near the top"
    );
    assert!(
        inked_rows.last().is_some_and(|&y| y > h / 2),
        "fills the page"
    );
    // Table borders: some rows are mostly ink across the form's width.
    assert!(
        (0..h).any(|y| row_ink(y) as u32 > w / 2),
        "no table rules drawn"
    );

    // The DOM as Chromium parsed it: the values, the check marks, the escaped text as text.
    let dom = run_chromium(
        &html,
        &desk.path("chromium-profile"),
        &["--dump-dom".to_string()],
    );
    let dom = text(&dom.stdout);
    for needle in [
        fixtures::NAME,
        fixtures::KANA,
        "☑",
        "☐",
        "被保険者資格申立書",
        "母",
    ] {
        assert!(dom.contains(needle), "DOM lacks {needle:?}");
    }
    assert!(dom.contains("&lt;script&gt;"), "the employer stays text");
    assert!(!dom.contains("<script>alert"), "no script element");
    assert_no_personal("print stderr", &desk.all_stderr());
}
