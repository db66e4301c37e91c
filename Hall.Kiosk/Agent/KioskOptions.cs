using Hall.Kiosk.IdCard;

namespace Hall.Kiosk.Agent;

/// <summary>The kiosk's settings (section <c>Kiosk</c>; environment <c>Kiosk__Server</c> …).</summary>
public sealed class KioskOptions
{
    /// <summary>Hall.Server's address, e.g. http://10.1.2.3:5080.</summary>
    public string Server { get; set; } = "http://localhost:5080";
    /// <summary>This kiosk's device key (hd_…), as the admin created it.</summary>
    public string DeviceKey { get; set; } = "";
    /// <summary>The hall's name on the ticket; by default the one the server sends.</summary>
    public string? HallName { get; set; }
    /// <summary>The notice printed at the foot of the ticket.</summary>
    public string Footer { get; set; } = "请留意叫号，过号请到服务台咨询";
    /// <summary>The hall's time zone, for the time printed on the ticket.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";
    /// <summary>Whether the page offers the optional mobile number for the "almost your turn" notice.</summary>
    public bool NoticeEnabled { get; set; } = true;

    /// <summary>Whether the home screen offers 预约签到 (booking check-in by code, QR scanner or ID card).</summary>
    public bool BookingCheckIn { get; set; } = true;
    /// <summary>Seconds without a touch before the attract screen.</summary>
    public int IdleSeconds { get; set; } = 60;
    /// <summary>Seconds the result screen stays after a ticket was printed.</summary>
    public int ResultSeconds { get; set; } = 15;
    /// <summary>
    /// Seconds the result screen stays when no paper ticket came out (it shows the number, the QR code of the phone page
    /// and its address): long enough to take a photo. The citizen can finish earlier.
    /// </summary>
    public int ScreenTicketSeconds { get; set; } = 60;
    /// <summary>
    /// When the printer is set up but cannot print (out of paper, cover open, unplugged, a ticket it could not finish):
    /// true — keep issuing and show each ticket on the screen instead; false — stop issuing (暂停取号) until it prints again.
    /// A kiosk with no printer set up always shows its tickets on the screen.
    /// </summary>
    public bool IssueWithoutPaper { get; set; } = true;
    /// <summary>
    /// For how many seconds a ticket the server could not take for a moment (its database away, or busy) is asked for
    /// again, with the same command id, before the page says so: a database restart passes unnoticed at the kiosk.
    /// Keep it well under the touch page's 20 s wait (when the page gives up, the asking stops and nothing is printed).
    /// </summary>
    public double RetrySeconds { get; set; } = 5;
    /// <summary>How often the printer is asked for its status, in seconds.</summary>
    public double PrinterCheckSeconds { get; set; } = 3;
    /// <summary>Spoken guidance for elderly and blind citizens (section <c>Kiosk:Voice</c>).</summary>
    public KioskVoiceOptions Voice { get; set; } = new();
    /// <summary>The resident ID card reader (section <c>Kiosk:IdCardReader</c>); none unless its port is set.</summary>
    public IdCardReaderOptions IdCardReader { get; set; } = new();
}

/// <summary>The kiosk's spoken guidance, said with the hall's recorded voice pack (the board's).</summary>
public sealed class KioskVoiceOptions
{
    /// <summary>Whether the 语音引导 switch starts on for each citizen (it returns to this when the kiosk goes idle).</summary>
    public bool Guidance { get; set; } = true;
    /// <summary>Where the hall's voice settings and pack are kept across restarts. Default: voice/ under the content root.</summary>
    public string Folder { get; set; } = "";
    /// <summary>How often the voice settings are asked for while connected, in seconds; at once after a connect and when the server says they changed.</summary>
    public double SyncSeconds { get; set; } = 60;
}
