using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Hall.Server.Queue;
using Hall.Server.Security;

namespace Hall.Server.Bookings;

/// <summary>
/// The booking API's limits per person and per booking code, beside the limits per address: booking attempts per resident
/// ID number (<c>Hall:Booking:BookPerPersonPerMinute</c>, default 5) and lookups or cancellations per code
/// (<c>Hall:Booking:LookupPerCodePerMinute</c>, default 20). Both are keyed by a keyed hash, so no ID number or code is held
/// in clear in memory; a request whose ID or code is malformed is not counted here (it is refused as malformed anyway).
/// </summary>
public sealed class BookingPersonLimits : IDisposable
{
    public static readonly Refusal TooManyForPerson = new("too_many_requests", "该身份证号码预约过于频繁，请稍后再试",
        "Too many booking attempts for this ID number: try again in a minute.");
    public static readonly Refusal TooManyForCode = new("too_many_requests", "该预约码查询过于频繁，请稍后再试",
        "Too many requests for this booking code: try again in a minute.");

    private readonly MobileNumbers _mobiles;
    private readonly PrivacyKeys _keys;
    private readonly PartitionedRateLimiter<string> _book;
    private readonly PartitionedRateLimiter<string> _lookup;

    public BookingPersonLimits(IConfiguration config, MobileNumbers mobiles, PrivacyKeys keys)
    {
        (_mobiles, _keys) = (mobiles, keys);
        _book = PerMinute(Math.Max(1, config.GetValue("Hall:Booking:BookPerPersonPerMinute", 5)));
        _lookup = PerMinute(Math.Max(1, config.GetValue("Hall:Booking:LookupPerCodePerMinute", 20)));
    }

    /// <summary>Whether this ID number may try to book once more this minute (true for a malformed one).</summary>
    public bool MayBook(string? idNumber) =>
        TicketRules.CheckIdNumber(idNumber).Value is not { } id || Take(_book, Convert.ToHexString(_mobiles.IdHmac(id)));

    /// <summary>Whether this booking code may be looked up or cancelled once more this minute (true for a malformed one).</summary>
    public bool MayLookUp(string? code) =>
        BookingCodes.Normalize(code) is not { } normal
        || Take(_lookup, Convert.ToHexString(HMACSHA256.HashData(_keys.Current.HmacKey, Encoding.UTF8.GetBytes("booking-code:" + normal))));

    public void Dispose()
    {
        _book.Dispose();
        _lookup.Dispose();
    }

    private static bool Take(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }

    private static PartitionedRateLimiter<string> PerMinute(int permits) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
}
