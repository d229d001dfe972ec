//! Japanese first, English second, one line per message.

use super::Lang;

macro_rules! catalogue {
    ($($key:ident => $ja:literal, $en:literal;)*) => {
        /// A key into the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg { $($key),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$key, Lang::Ja) => $ja, (Msg::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

catalogue! {
    // Frame
    AppTitle => "onshi 資格確認 障害時受付", "onshi outage desk";
    ScreenHome => "本日の受付", "Today's intakes";
    ScreenForm => "被保険者資格申立書", "Eligibility declaration";
    ScreenFormEdit => "申立書の修正", "Edit declaration";
    ScreenReview => "内容の確認", "Review";
    ScreenHelp => "キー操作", "Keys";
    StatusStore => "保存先", "Store";
    StatusRecords => "件数", "Records";
    StatusQueued => "未送信", "Queued";
    Operator => "担当", "Operator";

    // Home
    HomeEmpty => "本日の受付はまだありません。新規受付で始めます。", "No intakes today yet. Start a new intake.";
    ColTime => "時刻", "Time";
    ColName => "氏名", "Name";
    ColKana => "フリガナ", "Kana";
    ColCase => "事象", "Case";
    ColBasis => "請求", "Claim";
    ColSync => "送信", "Sync";
    SyncQueued => "未送信", "queued";
    SyncDone => "送信済", "sent";
    Voided => "取消", "void";

    // Actions (key bar and help)
    ActQuit => "終了", "Quit";
    ActHelp => "ヘルプ", "Help";
    ActNewIntake => "新規受付", "New intake";
    ActOpen => "修正", "Edit";
    ActVoid => "取消", "Void";
    ActUp => "上へ", "Up";
    ActDown => "下へ", "Down";
    ActNextField => "次の項目", "Next field";
    ActPrevField => "前の項目", "Previous field";
    ActReview => "確認へ", "Review";
    ActSave => "保存", "Save";
    ActCancel => "戻る", "Back";
    ActConfirm => "決定", "Confirm";
    ActLeft => "左へ", "Left";
    ActRight => "右へ", "Right";
    ActHome => "行頭", "Line start";
    ActEnd => "行末", "Line end";
    ActBackspace => "一字削除(前)", "Delete back";
    ActDelete => "一字削除", "Delete";
    ActClear => "項目を消去", "Clear field";
    ActChoiceNext => "次の選択肢", "Next option";
    ActChoicePrev => "前の選択肢", "Previous option";
    ActPageUp => "前のページ", "Page up";
    ActPageDown => "次のページ", "Page down";

    // What each action does (F1 help).
    HelpQuit => "終了（未送信は次回の起動時に送信）", "Quit (queued ones go out next time)";
    HelpHelp => "このキー操作の一覧", "This list of keys";
    HelpNewIntake => "何が起きたかを選んで受付を始める", "Start an intake: what failed?";
    HelpOpen => "選んだ記録を修正（前の版も残る）", "Edit the selected record";
    HelpVoid => "理由を付けて取消（削除はしない）", "Void with a reason (nothing deleted)";
    HelpUp => "一つ上へ", "Select the one above";
    HelpDown => "一つ下へ", "Select the one below";
    HelpPageUp => "10件上へ", "Ten up";
    HelpPageDown => "10件下へ", "Ten down";
    HelpNextField => "次の項目へ", "Next field";
    HelpPrevField => "前の項目へ", "Previous field";
    HelpReview => "保存内容・請求・窓口負担を確認", "Check record, claim and copay";
    HelpSave => "保存（ディスクに書いてから表示）", "Save (on disk before it says so)";
    HelpCancel => "前の画面へ戻る", "Go back";
    HelpConfirm => "選んだものに決める", "Take the selected one";
    HelpLeft => "カーソルを左へ", "Cursor left";
    HelpRight => "カーソルを右へ", "Cursor right";
    HelpLineStart => "項目の先頭へ", "Start of the field";
    HelpLineEnd => "項目の末尾へ", "End of the field";
    HelpBackspace => "カーソルの前の一字を消す", "Delete the character before";
    HelpDelete => "カーソル位置の一字を消す", "Delete the character at the cursor";
    HelpClear => "項目を空にする", "Empty the field";
    HelpChoiceNext => "次の選択肢", "Next option";
    HelpChoicePrev => "前の選択肢", "Previous option";
    HelpRomaji => "ローマ字をカナに（IMEなし端末用）", "Romaji to katakana (no IME)";
    HelpReadCard => "カードから券面4情報（暗証番号）", "Card face 4 items from the chip (PIN)";
    HelpSearch => "以前の記録をカナか生年月日で探す", "Earlier record by kana or birth date";
    HelpFollowups => "資格の確認がまだの記録", "Records whose qualification is open";
    HelpSync => "送信待ちと送信先が断った記録", "What waits to be sent, what was refused";

    // Fields (labels as on the official form)
    FieldCase => "障害の状況", "What failed";
    FieldHasValidCard => "有効な保険証等の交付", "Has valid card";
    FieldInsuranceKind => "保険種別", "Insurance kind";
    FieldInsurerName => "保険者名称", "Insurer name";
    FieldEmployerName => "事業所名", "Employer";
    FieldIssuedWhen => "交付を受けた時期", "Issued when";
    FieldIssuedNote => "時期の補足", "Issued note";
    FieldCopayRatio => "一部負担金の割合", "Copay ratio";
    FieldName => "氏名", "Name";
    FieldNameKana => "フリガナ", "Name (kana)";
    FieldBirthDate => "生年月日", "Birth date";
    FieldSex => "性別", "Sex";
    FieldAddress => "住所", "Address";
    FieldPhone => "連絡先電話番号", "Phone";
    FieldDeclaredOn => "申立日", "Declared on";
    FieldSigner => "署名者", "Signed by";
    FieldSignerRelationship => "続柄", "Relationship";
    FieldInsurerNumber => "保険者番号", "Insurer number";
    FieldSymbol => "記号", "Symbol";
    FieldNumber => "番号", "Number";
    FieldBranch => "枝番", "Branch";
    FieldIncidentNote => "メモ", "Note";
    FieldServiceDate => "受診日", "Service date";
    FieldBasis => "請求区分", "Claim basis";
    FieldCopay => "窓口負担", "Copay";
    FieldSource => "資格確認の方法", "Verified by";
    FieldVoidReason => "取消理由", "Void reason";
    FieldId => "記録ID", "Record id";
    FieldVersion => "版", "Version";
    FieldStatus => "状態", "Status";
    FieldOperator => "担当者", "Operator";
    FieldTerminal => "端末ID", "Terminal id";
    FieldTimestamp => "日時", "Timestamp";
    FieldFollowup => "要確認", "Follow-up";
    FieldCopayReason => "負担割合の根拠", "Copay reason";
    FieldAmount => "受領額", "Amount received";
    FieldJson => "入力行", "Input line";
    Required => "必須", "required";
    FieldPoints => "合計点数", "Total points";
    FieldClaimNumbers => "請求の記載", "Claim numbers";
    FieldSummary => "摘要", "Claim remarks";
    FieldDeclaration => "申立書", "Declaration";
    Blank => "", "";
    NoSymbol => "なし", "none";
    UnknownCheckDigitNote => "検証番号が必要なレセコンでは保険者番号 77777779 を使います", "Receipt software that checks digits takes insurer number 77777779";
    PointsUnit => "点", " points";
    YenUnit => "円", " yen";
    PrefilledFrom => "前回の受付から引用しています。変更がないことを患者に確認してください：", "Prefilled from an earlier intake; confirm with the patient that nothing changed:";
    ScreenIntake => "受付内容の入力", "Intake";
    ScreenRecheck => "オンライン再確認の結果", "Online recheck result";
    ScreenTriage => "障害の状況", "What failed?";
    ScreenGuide => "対応手順", "Procedure";
    ScreenSearch => "前回の受付を検索", "Find an earlier intake";
    ScreenFollowups => "要確認一覧", "Follow-ups";
    TriageIntro => "何が起きていますか。該当する番号を押してください。", "What failed? Press the number of the case.";
    GuideDo => "対応", "What to do";
    GuideTell => "患者さんへ", "Tell the patient";
    GuideSources => "資格を確認した方法（↑↓で選び、Enterで入力へ）", "How the qualification was seen (↑↓ to choose, Enter to continue)";
    GuideNote => "メモ", "Note";
    GuideNoteHint => "状況や対応のメモ（任意）", "What happened, what you did (optional)";
    GuideNoteHintOutage => "障害時モードを依頼した時刻・相手、気づいたことなど", "When and whom you asked for outage mode, anything notable";
    GuideOutageMode => "システム障害時モードはヘルプデスク（オンライン資格確認等コールセンター）に電話で依頼します。依頼した時刻と相手をメモに残してください。", "Outage mode (システム障害時モード) is requested by phone from the help desk. Note when and whom you asked.";
    GuideDo1 => "従来どおり柔軟に対応します。古い保険証があれば過去の資格として確認し、なければ被保険者資格申立書を記入してもらいます。窓口負担は通常の割合（3割等）です。", "Handle flexibly as before: check an old insurance card as past qualification, otherwise have the patient fill the declaration. Charge the normal copay (30% etc.).";
    GuideTell1 => "新しい資格確認書などが届いたら、次回の受診時にお持ちください。", "Please bring the new certificate next time once it arrives.";
    GuideDo2 => "マイナンバーカード券面の4情報（氏名・生年月日・性別・住所）で本人を確認し、加入している保険者名を聞き取ります。窓口負担は3割等。請求は過去の資格または不詳で行います。", "Confirm identity from the card face (name, birth date, sex, address) and ask for the insurer's name. Charge 30% etc.; bill on the past qualification or as unknown (不詳).";
    GuideTell2 => "保険者での資格登録がまだの可能性があります。勤務先または市区町村の保険窓口にご確認ください。", "Your insurer may not have registered you yet. Please ask your employer or the municipal office.";
    GuideDo31 => "資格確認端末の目視確認モードでオンライン資格確認を行います。できない場合はシステム障害時モード、それもできなければ申立書を記入してもらいます。", "Check online in the terminal's visual check mode (目視確認モード); if not possible use outage mode; otherwise take a declaration.";
    GuideTell31 => "カードリーダーの故障のため、目視で本人確認をさせていただきます。", "The card reader is broken, so we will confirm your identity visually.";
    GuideDo32 => "資格確認書があれば確認し、なければ申立書を記入してもらいます。マイナポータルはカードが必要なため使えません。", "Check a qualification certificate if there is one, otherwise take a declaration. Mynaportal is not possible: it needs the card.";
    GuideTell32 => "カードに不具合がある可能性があります。お住まいの市区町村の窓口でご確認ください。", "Your card may be defective. Please have it checked at your municipal office.";
    GuideDo33 => "患者のスマートフォンのマイナポータル画面、資格確認書、または資格情報のお知らせ（カードと一緒に）で確認します。いずれもなければ申立書を記入してもらいます。", "Check the Mynaportal screen on the patient's phone, the qualification certificate, or the qualification notice together with the card; otherwise take a declaration.";
    GuideTell33 => "端末の故障のため、お手持ちの書類かマイナポータルの画面で確認させてください。", "Our terminal is broken; may we see your documents or the Mynaportal screen?";
    GuideDo34 => "3-3と同じ方法で確認します。カード券面の4情報を記録し、復旧後にシステム障害時モードまたはオンライン再確認で資格を照会します。", "Check as for 3-3. Record the card face; after recovery look the qualification up in outage mode or by an online recheck.";
    GuideTell34 => "通信障害のため、後日あらためて資格を確認させていただく場合があります。", "Because of the outage we may confirm your qualification later.";
    SourceHelpMynaportal => "マイナポータル（患者のスマートフォンの資格情報画面）", "Mynaportal (the qualification screen on the patient's phone)";
    SourceHelpCertificate => "資格確認書", "Qualification certificate (資格確認書)";
    SourceHelpNotice => "資格情報のお知らせ（マイナンバーカードと一緒の場合のみ）", "Qualification notice (only together with the card)";
    SourceHelpInsuranceCard => "従来の保険証（2025年12月2日以降は過去の資格としてのみ）", "Old insurance card (after 2025-12-01 only as past qualification)";
    SourceHelpOutageMode => "システム障害時モードでの照会", "Lookup in outage mode (システム障害時モード)";
    SourceHelpOnlineRecheck => "オンライン資格確認（目視確認モード・復旧後の再確認）", "Online check (visual check mode, or the recheck after recovery)";
    SourceHelpDeclaration => "確認できるものがない → 被保険者資格申立書を記入", "Nothing shows it → the patient fills the declaration";
    SearchHint => "フリガナ（ひらがな可）または生年月日（例 S56.4.1）", "Kana (hiragana is fine) or birth date (e.g. S56.4.1)";
    SearchNone => "該当する記録はありません", "No matching record";
    FollowupsEmpty => "確認待ちの記録はありません", "No record is waiting for confirmation";
    StatusFollowups => "要確認", "Follow-up";
    ColDate => "受診日", "Date";
    ColBirth => "生年月日", "Born";
    ColSource => "確認方法", "Source";
    ActSearch => "検索", "Search";
    ActRomaji => "ローマ字→カナ 切替", "Romaji→kana on/off";
    RomajiOn => "ローマ字→カタカナ入力", "Romaji→katakana input";
    RomajiPending => "変換待ち", "pending";
    ActFollowups => "要確認", "Follow-ups";
    RecheckIntro => "オンライン再確認の結果を保存します（請求区分は「現在の資格」になります）。", "Saving the online recheck (the claim basis becomes current).";
    FieldUnchanged => "前回から変更なし", "Unchanged since last";

    // Choice labels
    Case1 => "1 新しい保険証が未発行", "1 New card not issued yet";
    Case2 => "2 資格（無効）・資格情報なし", "2 \"Invalid\" / \"no qualification\"";
    Case31 => "3-1 顔認証付きカードリーダー故障", "3-1 Face-auth reader broken";
    Case32 => "3-2 カードの不具合", "3-2 Card defect";
    Case33 => "3-3 資格確認端末の故障", "3-3 Eligibility terminal broken";
    Case34 => "3-4 停電・ネットワーク障害", "3-4 Power or network outage";
    CaseShort1 => "1 未発行", "1 not issued";
    CaseShort2 => "2 資格無効", "2 invalid";
    CaseShort31 => "3-1 読取機", "3-1 reader";
    CaseShort32 => "3-2 カード", "3-2 card";
    CaseShort33 => "3-3 端末", "3-3 terminal";
    CaseShort34 => "3-4 停電等", "3-4 outage";
    Yes => "はい", "yes";
    No => "いいえ", "no";
    KindShaho => "社保", "employee";
    KindKokuho => "国保", "national";
    KindKouki => "後期", "late-elderly";
    KindOther => "その他", "other";
    KindUnknown => "不明", "unknown";
    IssuedWithin1Month => "1か月以内", "within 1 month";
    IssuedEarlier => "それ以前", "earlier";
    Ratio30 => "3割", "30%";
    Ratio20 => "2割", "20%";
    Ratio10 => "1割", "10%";
    RatioUnknown => "不明", "unknown";
    SexMale => "男", "male";
    SexFemale => "女", "female";
    SignerPatient => "本人", "patient";
    SignerGuardian => "代理人", "guardian";
    BasisCurrent => "現在の資格", "current";
    BasisPast => "過去の資格", "past";
    BasisUnknown => "不詳", "unknown";
    SourceMynaportal => "マイナポータル", "Mynaportal";
    SourceCertificate => "資格確認書", "certificate";
    SourceNotice => "資格情報のお知らせ", "qualification notice";
    SourceInsuranceCard => "保険証", "insurance card";
    SourceOutageMode => "システム障害時モード", "outage mode";
    SourceOnlineRecheck => "オンライン再確認", "online recheck";
    SourceDeclaration => "申立書", "declaration";
    ReasonDefault => "原則", "default";
    ReasonPreschool => "未就学", "preschool";
    ReasonAge70to74 => "70〜74歳", "age 70–74";
    ReasonKouki => "後期高齢者", "late-elderly";
    ReasonDeclared => "申立", "declared";
    StatusActive => "有効", "active";
    StatusVoided => "取消済", "voided";

    // Form hints and flow
    HintChoice => "←→/Spaceで選択", "←→/Space to choose";
    HintDate => "例: 昭和56年4月1日, S56.4.1, 1981-04-01", "e.g. 昭和56年4月1日, S56.4.1, 1981-04-01";
    FormHasErrors => "入力に誤りがあります。赤い項目を直してください。", "Some fields need attention (shown in red).";
    DraftRestored => "前回保存されていない入力を復元しました。", "Restored unsaved input from last time.";
    Saved => "保存しました", "Saved";
    SavedVoid => "取り消しました（記録は保持されます）", "Voided (the record is kept)";
    SaveFailed => "保存できませんでした。入力は残っています。", "Could not save. Your input is kept.";
    ReadFailed => "記録を読み出せませんでした。", "Could not read the records.";
    ReviewIntro => "この内容で保存します。よろしければ保存キーを押してください。", "This will be saved. Press the save key if it is correct.";
    VoidPrompt => "取消理由を入力して決定してください。記録は削除されません。", "Enter a reason and confirm. The record is not deleted.";
    VoidAlready => "この記録はすでに取り消されています。", "This record is already voided.";
    NothingSelected => "記録が選ばれていません。", "No record selected.";
    QuitQueued => "件の未送信があります（次回接続時に送信されます）。", "record version(s) still queued (they will be sent next time).";
    CopaySuggestion => "年齢からの目安", "Suggested by age";
    CopayMismatch => "申立の割合が年齢からの目安と異なります", "Declared ratio differs from the age-based suggestion";
    FollowupNeeded => "後日資格確認が必要", "needs later check";
    FollowupNotNeeded => "不要", "not needed";
    Version => "版", "version";
    DiscardPrompt => "入力中の申立書を破棄しますか？", "Discard the declaration being entered?";
    HintKana => "全角カタカナ（ひらがな・半角カナは自動で変換）", "Full-width katakana (hiragana and half-width kana are converted)";
    Unselected => "未選択", "not chosen";
    Age => "歳", "years";
    PreviewArrow => "→", "→";

    // Problems
    ProblemRequired => "入力してください", "is required";
    ProblemChoice => "選択肢にない値です", "is not one of the allowed values";
    ProblemDateEmpty => "日付を入力してください", "enter a date";
    ProblemDateFormat => "日付の形式が読めません", "date format not recognised";
    ProblemDateUnknownEra => "元号が分かりません（明治・大正・昭和・平成・令和）", "unknown era (明治/大正/昭和/平成/令和)";
    ProblemDateOutOfEra => "その元号にはない日付です", "date is outside that era";
    ProblemDateImpossible => "存在しない日付です", "no such date";
    ProblemKana => "全角カタカナで入力してください", "use full-width katakana";
    ProblemKanaChar => "使えない文字", "character not allowed";
    ProblemControl => "制御文字・エスケープ文字は使えません", "control or escape characters are not allowed";
    ProblemTooLong => "長すぎます（最大文字数", "too long (max characters";
    ProblemInsurerEmpty => "保険者番号を入力してください", "enter the insurer number";
    ProblemInsurerDigits => "保険者番号は数字で入力してください", "insurer number must be digits";
    ProblemInsurerLength => "保険者番号は6桁または8桁です", "insurer number has 6 or 8 digits";
    ProblemInsurerCheck => "保険者番号の検証番号が一致しません", "insurer number check digit is wrong";
    ProblemInsurerUnknownCode => "77777777 は請求区分が「不詳」のときだけ使えます", "77777777 is only for claims on unknown qualification";
    ProblemNumberInvalid => "使えない文字があります", "contains a character that is not allowed";
    ProblemBranch => "枝番は2桁の数字です", "branch is 2 digits";
    ProblemPhoneChar => "電話番号は数字とハイフンで入力してください", "phone: digits and hyphens only";
    ProblemPhoneDigits => "電話番号の桁数が違います（0から始まる10〜11桁）", "phone needs 10–11 digits starting with 0";
    ProblemInFuture => "未来の日付は入力できません", "cannot be in the future";
    ProblemBirthAfterService => "生年月日が受診日より後です", "birth date is after the service date";
    ProblemNotApplicable => "この条件では入力しません", "does not apply here";
    ProblemRatio => "負担割合は10・20・30のいずれかです", "copay ratio must be 10, 20 or 30";
    ProblemTimestamp => "日時はRFC 3339形式で入力してください", "timestamp must be RFC 3339";
    ProblemId => "IDの形式が正しくありません（ULID）", "id is not a ULID";
    ProblemVersion => "版は1以上です", "version must be 1 or more";
    ProblemVoidReason => "取消時は理由が必要です（有効な記録には理由を付けません）", "a voided record needs a reason (an active one has none)";
    ProblemJson => "JSONとして読めません", "not valid JSON for a record";
    ProblemConflict => "同じIDの記録がすでにあります（版が合いません）", "a record with this id already exists (version mismatch)";

    // Store errors
    StoreInUse => "この保存先は別のonshiが使用中です", "This store is in use by another onshi";
    StorePid => "プロセスID", "PID";
    StorePermission => "保存先に書き込めません。権限を確認してください", "Cannot write to the store; check permissions";
    StoreDiskFull => "ディスクの空きがありません。入力は画面に残っています。空きを作ってから保存し直してください（それでも保存できないときは、画面の内容を書き留めてから onshi を再起動してください）", "The disk is full. Your input is still on the screen; free some space and save again (if it still fails, note down what is on the screen and restart onshi)";
    StoreSchema => "この保存先は新しい版のonshiで作られています", "This store was written by a newer onshi";
    StoreConflict => "他の端末または画面で先に更新されました。開き直してください", "Someone updated this record first; reopen it";
    StoreCorrupt => "保存先のデータが壊れています。技術担当に連絡してください", "The store data is damaged; call your technician";
    StoreIo => "保存先の読み書きに失敗しました", "Reading or writing the store failed";

    // CLI
    CliImportSummary => "取り込み", "imported";
    CliRejected => "不正", "rejected";
    CliDryRun => "（試行のみ・保存していません）", "(dry run: nothing stored)";
    CliCannotRead => "ファイルを読めません", "Cannot read the file";
    CliConfigError => "設定ファイルに誤りがあります", "The config file has an error";
    CliKeymapError => "キーマップに誤りがあります", "The keymap has an error";
    CliTerminal => "端末を初期化できません", "Cannot set up the terminal";
    CliLine => "行", "line";

    // Sync
    SyncDelivered => "送信", "delivered";
    SyncHeld => "保留（要対応）", "held (needs action)";
    SyncStillQueued => "未送信", "still queued";
    SyncProgress => "送信中", "delivering";
    SyncUnreachable => "送信先に接続できません（記録は失われません）", "Cannot reach the sync target (nothing is lost)";
    SyncRetryIn => "再試行まで（秒）", "retrying in (seconds)";
    SyncNoTarget => "送信先が設定されていません（設定ファイルの [sync] target）", "No sync target is configured ([sync] target in the config file)";
    SyncTargetError => "送信先の設定に誤りがあります", "The sync target configuration has an error";
    SyncUrlMissing => "[sync] url がありません", "[sync] url is missing";
    SyncUrlInvalid => "[sync] url が正しくありません", "[sync] url is not valid";
    SyncUrlInsecure => "http:// はこのPC内（127.0.0.1・localhost）の送信先にだけ使えます。https:// を使ってください", "http:// is only allowed for a receiver on this PC (127.0.0.1, localhost); use https://";
    SyncTokenMissing => "[sync] token_file がありません", "[sync] token_file is missing";
    SyncTokenMode => "トークンファイルを所有者以外も読めます。次のコマンドで所有者だけにしてください", "The token file can be read by others besides its owner; make it the owner's only with this command";
    SyncTokenRead => "トークンファイルを読めません", "Cannot read the token file";
    SyncTokenInvalid => "トークンファイルが空か、使えない文字を含みます", "The token file is empty or contains characters that cannot be sent";
    SyncCaFile => "CA証明書ファイル（PEM）を読めません", "Cannot read the CA certificate file (PEM)";
    SyncDirMissing => "[sync] dir がありません", "[sync] dir is missing";
    SyncRejected => "送信先に拒否されました", "refused by the target";
    SyncRetryHint => "原因を直したら onshi sync --retry-failed か送信画面から再送してください", "After fixing the cause, retry with onshi sync --retry-failed or from the sync screen";
    SyncOnline => "接続中", "online";
    SyncOffline => "未接続", "offline";
    SyncSince => "から", "since";
    SyncLastError => "最後のエラー", "last error";
    SyncWaiting => "前の版の送信待ち", "waiting for an earlier version";
    SyncFailedCount => "保留", "held";
    SyncAttempts => "試行回数", "attempts";
    SyncRetry => "再送", "Retry";
    SyncDisabled => "送信先なし", "no sync target";
    SyncRetrying => "再送します", "Retrying";
    SyncNothingToRetry => "再送できるのは「保留」の版だけです", "Only held versions can be retried";
    SyncQueueEmpty => "送信待ちはありません", "Nothing is waiting to be sent";
    ScreenSync => "送信状況", "Sending";
    ActSync => "送信状況", "Sending";
    ColRecord => "記録ID", "Record";
    ColVersion => "版", "Ver";
    ColState => "状態", "State";
    ColError => "エラー", "Error";
    SyncNotTried => "未確認", "not tried yet";
    ActReadCard => "カード読取", "Read card";
    ScreenOperator => "担当者", "Operator";
    OperatorPrompt => "担当者名を入力してください（操作記録に残ります）", "Type your name (it goes into the audit trail)";
    OperatorRequired => "担当者の名前を入力してください", "Please type the operator's name";
    CardAsking => "カードに暗証番号の残り回数を確認しています…", "Asking the card for the PIN tries left…";
    CardReading => "カードを読み取っています…", "Reading the card…";
    CardFilled => "カードから氏名・住所・生年月日・性別を読み取りました。確認してフリガナを入力してください", "Name, address, birth date and sex read from the card. Check them and type the kana";
    CardFilledAskSex => "カードから読み取りました。性別はカードに記載がないため本人に確認してください", "Read from the card. Sex is not recorded on the card: ask the patient";
    CardLastTryConfirm => "残り1回です。間違えるとロックされます。本人に確認のうえ、もう一度決定キーで送信します", "1 try left: a wrong PIN locks the card. Confirm with the patient, then press confirm again to send";
    CardDialogTitle => "カード読取（暗証番号4桁）", "Read card (4-digit PIN)";
    CardPinHint => "患者さんに入力してもらってください（画面には表示しません）", "Let the patient type it (it is never shown)";
    StatusCard => "カード", "Card";
    DoctorStore => "保存先", "store";
    DoctorConfig => "設定", "config";
    DoctorKeymap => "キーマップ", "keymap";
    DoctorReader => "カードリーダー", "card reader";
    DoctorSync => "送信先", "sync target";
    DoctorNoConfig => "設定ファイルなし（既定値で動作）", "no config file (defaults apply)";

    // Card
    CardNoService => "PC/SCサービス（pcscd）が動いていません。カードは読めないので手入力で続けてください", "The PC/SC service (pcscd) is not running. The card cannot be read; continue with manual entry";
    CardNoServiceWindows => "スマートカードサービス（Smart Card）が動いていません（カードリーダーが接続されていないときも止まります）。カードは読めないので手入力で続けてください", "The Smart Card service is not running (Windows stops it when no card reader is connected). The card cannot be read; continue with manual entry";
    CardNoReader => "カードリーダーが見つかりません。接続を確認するか、手入力で続けてください", "No card reader found. Check the connection, or continue with manual entry";
    CardNoCard => "カードリーダーにカードがありません", "There is no card in the reader";
    CardReaderInUse => "カードリーダーを他のソフトが使用中です。そちらを終えてからもう一度読み取ってください", "Another program is using the card reader. Finish there, then read again";
    CardUnresponsive => "カードが応答しません。向きと差し込みを確認してください（ICチップの故障なら事象3-2）", "The card does not respond. Check how it is inserted (a broken chip is case 3-2)";
    CardRemoved => "読み取り中にカードが外されたか、通信が途切れました。カードを置き直してもう一度読み取ってください", "The card was removed or lost contact while reading. Place it again and read again";
    CardNotMyNumber => "マイナンバーカードではありません（券面事項入力補助APがありません）", "This is not a My Number Card (no card info input support application)";
    CardPinLocked => "暗証番号がロックされています。お住まいの市区町村窓口で暗証番号の再設定が必要です。今回は手入力で続けてください", "The PIN is locked. The patient must have it reset at their municipal office (市区町村窓口). Continue with manual entry";
    CardLastTry => "暗証番号の残り回数が1回です。間違えるとカードがロックされ、市区町村窓口での再設定が必要になります", "Only 1 PIN try is left. A wrong PIN will lock the card, and the patient will have to have it reset at the municipal office";
    CardConfirmPrompt => "続けるには yes と入力してください", "Type yes to continue";
    CardCancelled => "中止しました。暗証番号はカードに送っていません", "Cancelled. The PIN was not sent to the card";
    CardWrongPin => "暗証番号が違います", "Wrong PIN";
    CardTriesLeft => "残り回数", "tries left";
    CardPinFormat => "暗証番号は数字4桁です", "The PIN is 4 digits";
    CardPinPrompt => "暗証番号（券面事項入力補助用・数字4桁）", "PIN (card info input support, 4 digits)";
    CardUnexpected => "カードが予期しない応答をしました", "The card gave an unexpected answer";
    CardStepSelectAp => "アプリの選択", "selecting the application";
    CardStepSelectPin => "暗証番号の選択", "selecting the PIN";
    CardStepQueryTries => "残り回数の確認", "checking the tries left";
    CardStepVerify => "暗証番号の照合", "checking the PIN";
    CardStepSelectData => "券面情報の選択", "selecting the card face data";
    CardStepRead => "券面情報の読み出し", "reading the card face data";
    CardGarbled => "カードのデータを読み取れません（形式が不正です）。手入力で続けてください", "The card data cannot be understood (malformed). Continue with manual entry";
    CardDataStructure => "データ構造", "data structure";
    CardForbidden => "許可されていないカード操作を止めました（送信していません）。技術担当に連絡してください", "A card command outside the allowed list was stopped (not sent). Call your technician";
    CardReaderError => "カードリーダーのエラー", "Card reader error";
    CardReaderLabel => "カードリーダー", "Card reader";
    CardStatusChecking => "確認中", "checking";
    CardStatusNoService => "pcscd停止", "pcscd down";
    CardStatusNoServiceWindows => "サービス停止", "service down";
    CardStatusNoReader => "リーダーなし", "no reader";
    CardStatusEmpty => "カードなし", "no card";
    CardStatusPresent => "カードあり", "card present";
    CardSexNotRecorded => "カードに記載なし（本人に確認）", "not recorded on the card (ask the patient)";

    // Paper and privacy
    StoreLocked => "この保存先は暗号化されています。パスフレーズが必要です", "This store is encrypted; the passphrase is needed";
    StoreWrongPassphrase => "パスフレーズが違います（何も変更していません）", "Wrong passphrase (nothing was changed)";
    StoreNotEmpty => "記録のある保存先は暗号化できません。onshi init --encrypt で新しい保存先を作り、export と import で移してください", "A store that holds records cannot be encrypted; create a new one with onshi init --encrypt and move the records with export and import";
    StoreAlreadyEncrypted => "この保存先はすでに暗号化されています", "This store is already encrypted";
    StoreNotEncrypted => "この保存先は暗号化されていません", "This store is not encrypted";
    StoreWeakPassphrase => "パスフレーズは8文字以上にしてください", "The passphrase needs at least 8 characters";
    StoreCryptoUnsupported => "この保存先は新しい版のonshiで暗号化されています", "This store was encrypted by a newer onshi";
    PassPrompt => "パスフレーズ: ", "Passphrase: ";
    PassPromptNew => "新しいパスフレーズ（8文字以上）: ", "New passphrase (8 characters or more): ";
    PassPromptRepeat => "もう一度入力: ", "Repeat it: ";
    PassMismatch => "2回の入力が一致しません", "The two entries differ";
    PassNoTerminal => "パスフレーズを入力する端末がありません。ONSHI_PASSPHRASE_FILE でファイルを指定してください", "No terminal to type the passphrase on; set ONSHI_PASSPHRASE_FILE";
    PassFileMode => "パスフレーズファイルを所有者以外も読めます。次のコマンドで所有者だけにしてください", "The passphrase file can be read by others besides its owner; make it the owner's only with this command";
    PassFileRead => "パスフレーズファイルを読めません", "Cannot read the passphrase file";
    InitReady => "保存先を用意しました", "Store ready";
    InitEncrypted => "暗号化あり（パスフレーズを忘れると記録は読めません）", "encrypted (without the passphrase the records cannot be read)";
    InitPlain => "暗号化なし", "not encrypted";
    CliBadDate => "日付が読めません", "Cannot read the date";
    CliCannotWrite => "ファイルに書き込めません", "Cannot write the file";
    AuditEmpty => "該当する監査記録はありません", "No matching audit entries";
    PurgeBadAge => "期間は 90d のように日数で指定してください", "Give the age in days, like 90d";
    PurgeWould => "削除対象", "would be deleted";
    PurgeDone => "削除", "deleted";
    PurgeKeptQueued => "未送信のため保持", "kept: not delivered yet";
    PurgeKeptFollowup => "要確認のため保持", "kept: follow-up pending";
    PurgeKeptRecent => "保存期間内のため保持", "kept: within retention";
    PurgeVersions => "版", "versions";
    PurgeDrafts => "下書き", "drafts";
    PrintNotFound => "記録が見つかりません", "No such record";
    ExportReplaced => "CP932にない文字を〓に置き換えました", "characters not in CP932 were replaced with 〓";
    ExportEncodingCsvOnly => "--encoding は --format csv にだけ使えます", "--encoding applies to --format csv only";
    PaperTitle => "被保険者資格申立書", "Declaration of health insurance eligibility";
    PaperIntro => "マイナンバーカードによるオンライン資格確認ができなかったため、以下のとおり申し立てます。", "Eligibility could not be confirmed online with the My Number Card; I declare the following.";
    PaperSection1 => "１．保険の情報", "1. Insurance";
    PaperSection2 => "２．ご本人の情報", "2. Patient";
    PaperHasValidCard => "有効な保険証（資格確認書）の交付を受けている", "Holds a valid insurance card (qualification certificate)";
    PaperKindKouki => "後期高齢者", "late-elderly";
    PaperEmployerNote => "（社保・国保組合の場合）", "(employee insurance or an insurance society)";
    PaperCopayNote => "（70歳以上・後期高齢者の方）", "(age 70 or over, late-elderly)";
    PaperClosing => "上記のとおり申し立てます。", "I declare the above to be true.";
    PaperSignature => "署名", "Signature";
    PaperGuardianNote => "（代理人の場合）", "(when a guardian signs)";
    PaperRecord => "受付記録", "Intake record";
    PaperVoided => "この記録は取り消されています", "This record has been voided";
}
