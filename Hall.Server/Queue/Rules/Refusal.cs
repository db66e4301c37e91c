using Hall.Server.Contracts;

namespace Hall.Server.Queue;

/// <summary>Why a command was refused. A value, not an exception: the caller gets the code and both messages.</summary>
public sealed record Refusal(string Code, string MessageZh, string MessageEn)
{
    public HallError ToError() => new(Code, MessageZh, MessageEn);

    public static readonly Refusal UnknownService = new("unknown_service", "没有这项业务", "No such service in this hall.");
    public static readonly Refusal UnknownServiceItem = new("unknown_service_item", "没有这个办理事项", "No such service item in this hall.");
    public static readonly Refusal UnknownWindow = new("unknown_window", "没有这个窗口", "No such window in this hall.");
    public static readonly Refusal UnknownTicket = new("unknown_ticket", "没有这个号码", "No such ticket in this hall.");
    public static readonly Refusal ServiceInactive = new("service_inactive", "该业务已停用", "This service is not in use.");
    public static readonly Refusal HallClosedToday = new("hall_closed_today", "今日不办公", "The hall is closed today.");
    public static readonly Refusal OutsideOpeningHours = new("outside_opening_hours", "未到办理时间", "Outside the service's opening hours.");
    public static readonly Refusal DailyCapReached = new("daily_cap_reached", "今日号源已满", "Today's tickets for this service are all taken.");
    public static readonly Refusal PriorityNotAccepted = new("priority_not_accepted", "该业务不设优先号", "This service does not take priority tickets.");
    public static readonly Refusal WindowClosed = new("window_closed", "窗口未开启", "The window is not open.");
    public static readonly Refusal WindowPaused = new("window_paused", "窗口已暂停", "The window is paused.");
    public static readonly Refusal WindowAlreadyOpen = new("window_already_open", "窗口已开启", "The window is already open.");
    public static readonly Refusal WindowOpenedByOther = new("window_opened_by_other", "该窗口由其他工作人员开启", "Another clerk has this window open.");
    public static readonly Refusal WindowNotPaused = new("window_not_paused", "窗口未暂停", "The window is not paused.");
    public static readonly Refusal WindowBusy = new("window_busy", "当前号码尚未办结", "The window still has a ticket in progress.");
    public static readonly Refusal UnknownPauseReason = new("unknown_pause_reason", "暂停原因不在列表中", "The pause reason is not in the hall's list.");
    public static readonly Refusal NobodyWaiting = new("nobody_waiting", "当前没有等候的号码", "Nobody is waiting for this window.");
    public static readonly Refusal TicketNotWaiting = new("ticket_not_waiting", "该号码不在等候中", "The ticket is not waiting.");
    public static readonly Refusal TicketNotCalled = new("ticket_not_called", "该号码未被本窗口呼叫", "The ticket is not called to this window.");
    public static readonly Refusal TicketNotServing = new("ticket_not_serving", "该号码未在本窗口办理中", "The ticket is not being served at this window.");
    public static readonly Refusal TicketNotNoShow = new("ticket_not_no_show", "该号码不是过号状态", "The ticket is not a no-show.");
    public static readonly Refusal TicketNotFinished = new("ticket_not_finished", "办结后才能评价", "Only a finished ticket can be rated.");
    public static readonly Refusal TicketInService = new("ticket_in_service", "该号码正在办理中，请由窗口办结或转移", "The ticket is being served; the window must finish or transfer it.");
    public static readonly Refusal TicketClosed = new("ticket_closed", "该号码已结束", "The ticket is already closed.");
    public static readonly Refusal TicketFromAnotherDay = new("ticket_from_another_day", "该号码不是今天的", "The ticket is not from today.");
    public static readonly Refusal RecallLimitReached = new("recall_limit_reached", "已达到重呼次数上限", "The ticket has been recalled the maximum number of times.");
    public static readonly Refusal UnknownOutcome = new("unknown_outcome", "办理结果不在列表中", "The outcome is not in the hall's list.");
    public static readonly Refusal AcceptanceWithoutCase = new("acceptance_without_case", "咨询、退回补正、不予受理未受理案件，不能选择容缺受理或告知承诺，未作任何更改",
        "容缺受理 and 告知承诺 are ways of accepting a case; a consultation, a return for correction or a refusal accepts none. Nothing was changed.");
    public static readonly Refusal MissingMaterialsRequired = new("missing_materials_required", "容缺受理须填写缺少的材料，未作任何更改", "容缺受理 (accepted with materials to follow) needs the missing materials. Nothing was changed.");
    public static readonly Refusal CorrectionDeadlineRequired = new("correction_deadline_required", "请填写补正期限，未作任何更改", "Enter the date by which the missing materials are due (补正期限). Nothing was changed.");
    public static readonly Refusal PromiseDeadlineRequired = new("promise_deadline_required", "请填写承诺期限，未作任何更改", "Enter the date by which the promise is to be kept (承诺期限). Nothing was changed.");
    public static readonly Refusal CaseNumberRequired = new("case_number_required", "该业务办结须录入办件编号，未作任何更改", "This service needs the case number (办件编号) to finish a case. Nothing was changed.");
    public static readonly Refusal InvalidCaseNumber = new("invalid_case_number", "办件编号须为 1–64 位字母、数字或 - _ /，未作任何更改",
        "The case number (办件编号) must be 1–64 letters, digits, '-', '_' or '/'. Nothing was changed.");
    public static readonly Refusal CaseNumberBeforeFinish = new("case_number_before_finish", "该号码尚未办结，不能关联办件编号，未作任何更改", "The ticket is not finished; a case number is attached to a finished ticket. Nothing was changed.");
    public static readonly Refusal CaseNumberDiffers = new("case_number_differs", "该号码已关联其他办件编号，未作任何更改", "The ticket already has a different case number. Nothing was changed.");
    public static readonly Refusal DeadlineInThePast = new("deadline_in_the_past", "期限不能早于今天，未作任何更改", "The deadline cannot be before today. Nothing was changed.");
    public static readonly Refusal AlreadyRated = new("already_rated", "该号码已评价", "The ticket has already been rated.");
    public static readonly Refusal UnknownRatingReason = new("unknown_rating_reason", "评价原因不在国家规定的选项中", "A reason is not one of the national 好差评 reasons.");
    public static readonly Refusal ReasonsOnlyForBadRating = new("reasons_only_for_bad_rating", "只有“不满意”“非常不满意”可以选择原因", "Reasons go only with 不满意 or 非常不满意.");
    public static readonly Refusal NothingToRate = new("nothing_to_rate", "本窗口没有可邀请评价的办件（办结后未评价且在评价时限内）", "Nothing finished at this window is waiting for a rating within the time limit.");
    public static readonly Refusal InvalidRatingLevel = new("invalid_rating_level", "评价等级无效", "The rating level is not one of the five levels.");
    public static readonly Refusal TransferTargetMissing = new("transfer_target_missing", "请指定转移到的业务或窗口（二选一）", "Name exactly one target: a service or a window.");
    public static readonly Refusal TransferToSameService = new("transfer_to_same_service", "不能转移到原业务", "The ticket is already in that service.");
    public static readonly Refusal ReasonRequired = new("reason_required", "请填写原因", "A reason is required.");
    public static readonly Refusal TextTooLong = new("text_too_long", "文字过长", "The text is too long.");
    public static readonly Refusal InvalidText = new("invalid_text", "文字含有控制字符或文字方向控制符，请删除后重试", "The text contains a control character or a bidirectional override; remove it and try again. Nothing was changed.");
    public static readonly Refusal InvalidCommand = new("invalid_command", "指令格式错误", "The command is malformed.");
    public static readonly Refusal CommandIdReused = new("command_id_reused", "指令编号已被其他指令使用", "This command id was already used by a different command.");
    public static readonly Refusal HolderSignedIn = new("holder_signed_in", "该窗口的工作人员仍在登录状态，请其关闭窗口后再接管，或由值班长接管", "The clerk holding this window is still signed in: they close the window first, or a supervisor takes it over. Nothing was changed.");
    public static readonly Refusal RatingTooLate = new("rating_too_late", "该号码办结已超过评价时限，不能再评价", "The service finished longer ago than the hall's time limit for ratings; the rating was not taken.");
    public static readonly Refusal CredentialEnded = new("credential_ended", "登录已失效（已退出、账号已停用或设备密钥已吊销/更换），请重新登录", "The session or device key this connection was opened with has ended (signed out, account deactivated, key revoked or rotated): sign in again. Nothing was changed.");
    public static readonly Refusal Forbidden = new("forbidden", "无权执行此操作", "You may not do this.");
    public static readonly Refusal WrongHall = new("wrong_hall", "不属于本大厅", "That belongs to another hall.");
    public static readonly Refusal NotYourWindow = new("not_your_window", "您未开启该窗口", "You have not opened this window.");
    public static readonly Refusal InvalidMobile = new("invalid_mobile", "手机号码格式不正确", "The mobile number is not valid (11 digits starting with 1).");
    public static readonly Refusal InvalidIdNumber = new("invalid_id_number", "身份证号码不正确", "The resident ID number is not valid (18 characters, last may be X, checksum per GB 11643).");
    public static readonly Refusal KioskRateLimited = new("kiosk_rate_limited", "取号过于频繁，请稍后再试", "This kiosk has issued too many tickets in the last minute; try again shortly. Nothing was changed.");
    public static readonly Refusal TooManyOpenTickets = new("too_many_open_tickets", "您今日在该业务已有未办结的号码", "This mobile number or ID already holds the most open tickets allowed for this service today. Nothing was changed.");
    public static readonly Refusal NotIssuedHere = new("not_issued_here", "该号码不是本机发出的", "This kiosk did not issue that ticket.");
    public static readonly Refusal TicketAlreadyCalled = new("ticket_already_called", "该号码已被呼叫，不能作废", "The ticket has been called; it can no longer be voided.");
    public static readonly Refusal Busy = new("busy", "系统繁忙，请重试", "The system is busy; please retry.");
    public static readonly Refusal Unavailable = new("unavailable", "数据库暂时无法访问，操作未受理，请稍后重试", "The database is unavailable: the command was not taken. Nothing was changed; retry shortly.");
}

/// <summary>What a rule decided: a value, or a refusal.</summary>
public readonly record struct Decision<T>(T? Value, Refusal? Refusal)
{
    public bool Ok => Refusal is null;

    public static implicit operator Decision<T>(T value) => new(value, null);

    public static implicit operator Decision<T>(Refusal refusal) => new(default, refusal);
}
