using Hall.Server.Queue;

namespace Hall.Server.Bookings;

/// <summary>Why a booking is refused, in Chinese and English; a refused booking stores nothing.</summary>
public static class BookingRefusals
{
    public static readonly Refusal NotOffered = new("booking_not_offered", "该业务暂不提供网上预约", "This service takes no bookings.");
    public static readonly Refusal UnknownSlot = new("slot_unknown", "该日期或时段不办理此业务，请重新选择", "The service has no such slot on that date: choose another.");
    public static readonly Refusal NotReleased = new("booking_not_released", "该日期的号源尚未放出，请稍后再约", "That date's slots are not released yet.");
    public static readonly Refusal SlotClosed = new("slot_closed", "该时段已截止预约，请选择其他时段", "Booking for that slot has closed: choose another.");
    public static readonly Refusal SlotFull = new("slot_full", "该时段已约满，请选择其他时段", "The slot is fully booked: choose another.");
    public static readonly Refusal ItemNotInService = new("item_not_in_service", "该办理事项不属于所选业务，请重新选择", "That service item is not handled by the chosen service: choose again.");
    public static readonly Refusal InvalidName = new("invalid_name", "请填写姓名（1–30 个字）", "Give your name (1–30 characters).");
    public static readonly Refusal InvalidIdNumber = Refusal.InvalidIdNumber;
    public static readonly Refusal MobileRequired = new("mobile_required", "请填写手机号码，用于接收预约短信", "Give a mobile number: the booking's messages go to it.");
    public static readonly Refusal TooMany = new("too_many_bookings", "您已有未办理的预约达到上限，请先办理或取消", "You already hold the most open bookings allowed: use or cancel one first.");
    public static readonly Refusal SameSlot = new("already_booked", "您已预约该业务的这一时段", "You already booked this slot of this service.");
    public static readonly Refusal RequestReused = new("request_id_reused", "该请求编号已用于另一预约", "This request id was already used for another booking.");
    public static readonly Refusal UnknownBooking = new("unknown_booking", "没有这个预约，请核对预约码", "No such booking: check the code.");
    public static readonly Refusal NotCancellable = new("booking_not_cancellable", "该预约已签到、取消或过期，不能取消", "The booking is checked in, cancelled or over: it cannot be cancelled.");

    public static readonly Refusal RemoteNotOffered = new("remote_tickets_not_offered", "该业务不提供线上取号，请到大厅取号或网上预约", "This service takes no numbers from the phone: take one at the hall, or book.");
    public static readonly Refusal NoBookingToday = new("no_booking_today", "未查到您今天的预约，可直接选择业务取号", "You have no booking today: choose a service to take a number.");
    public static readonly Refusal CancelledBooking = new("booking_cancelled", "该预约已取消，可直接选择业务取号", "The booking was cancelled: choose a service to take a number.");
    public static readonly Refusal AlreadyCheckedIn = new("booking_checked_in", "该预约已签到取号，请留意叫号", "The booking is already checked in: watch the screens for its number.");
    public static readonly Refusal InvalidCode = new("invalid_booking_code", "预约码为 8 位字母和数字，请核对后重新输入", "A booking code is 8 letters and digits: check it and type it again.");

    /// <summary>A booking of a later date: says which.</summary>
    public static Refusal NotToday(DateOnly date, TimeOnly start, TimeOnly end) => new("booking_not_today",
        $"您的预约是 {date.Month}月{date.Day}日 {start:HH:mm}–{end:HH:mm}，请当天来签到",
        $"Your booking is for {date:yyyy-MM-dd} {start:HH:mm}–{end:HH:mm}: check in on that day.");

    /// <summary>Before the check-in window: says when it opens.</summary>
    public static Refusal TooEarly(TimeOnly opens, TimeOnly start, TimeOnly end) => new("check_in_too_early",
        $"您预约的时段是 {start:HH:mm}–{end:HH:mm}，请于 {opens:HH:mm} 后再来签到",
        $"Your slot is {start:HH:mm}–{end:HH:mm}: come back to check in from {opens:HH:mm}.");

    /// <summary>After the check-in window, in a hall that does not take latecomers as walk-ins.</summary>
    public static Refusal TooLate(DateOnly date, TimeOnly start, TimeOnly closed) => new("check_in_too_late",
        $"已超过签到时间（{date.Month}月{date.Day}日 {start:HH:mm} 的预约须在 {closed:HH:mm} 前签到），该预约已失效，请重新预约或到窗口咨询",
        $"Too late to check in (the {date:yyyy-MM-dd} {start:HH:mm} booking had to be checked in by {closed:HH:mm}): the booking has lapsed; book again or ask at a window.");

    /// <summary>爽约 too often: says until when (hall-local date).</summary>
    public static Refusal Banned(DateOnly until, int misses, int days) => new("booking_banned",
        $"您在 {days} 天内爽约 {misses} 次，{until.Year}年{until.Month}月{until.Day}日前不能网上预约，可现场取号办理",
        $"You missed {misses} bookings within {days} days: you cannot book online before {until:yyyy-MM-dd}; take a number at the hall instead.");
}
