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
    ActOpen => "開く・修正", "Open / edit";
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
    StoreDiskFull => "ディスクの空きがありません。入力は残っています。空きを作ってから保存し直してください", "The disk is full. Your input is kept; free some space and save again";
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
    SyncTokenMode => "トークンファイルがグループ・他人から読める権限です。chmod 600 にしてください", "The token file is readable by group or others; chmod 600 it";
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
}
