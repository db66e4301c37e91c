using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Reports;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hall.Server.Outbox;

/// <summary>
/// 好差评 upload (国办发〔2019〕51号): every rating reaches the province's unified evaluation system. The rating's outbox row
/// is written in the rating's own transaction; the body is read at send time, so an upload enqueued again after an appeal
/// decision carries the rating's current appeal mark under the same rating id (the receiver's idempotency key).
/// Everything about the province's interface is configuration (<c>Hall:Province:…</c>, see deploy/OPERATIONS.md).
/// No mobile or ID number is ever part of it.
/// </summary>
public sealed class RatingUploads(IConfiguration config) : IOutboxChannel
{
    /// <summary>The fields of the body, by their canonical names; <c>Hall:Province:Fields:&lt;name&gt;</c> renames one.</summary>
    public static readonly IReadOnlyList<string> FieldNames =
    [
        "ratingId", "hallCode", "ticketNumber", "businessDate", "serviceCode", "serviceName", "itemCode", "windowNumber", "staffCode",
        "level", "levelName", "reasons", "channel", "ratedAt", "caseNumber", "appealUpheld", "appealUpheldAt",
    ];

    private IConfigurationSection Section => config.GetSection("Hall:Province");

    public string Name => OutboxChannels.Province;

    public bool Enabled => Section.GetValue("Enabled", false) && Uri.TryCreate(Section["Endpoint"], UriKind.Absolute, out _);

    /// <summary>
    /// The statement that enqueues the upload of the rating of <paramref name="ticketId"/>, for a queue command's own batch
    /// after the rating's INSERT (see Rate.cs).
    /// </summary>
    internal static NpgsqlBatchCommand EnqueueForTicket(long ticketId, DateTimeOffset now) =>
        Queue.CommandContext.Statement(EnqueueSql("r.ticket_id = $1"), ticketId, now.ToUniversalTime());

    /// <summary>
    /// (Re)enqueues the upload of rating <paramref name="ratingId"/> in the caller's transaction on <paramref name="db"/>
    /// (an appeal upheld calls it): one row per rating, made due now; a row already on its way is sent once more.
    /// </summary>
    public static Task<int> EnqueueAsync(HallDb db, long ratingId, DateTimeOffset now, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(EnqueueSql("r.id = {0}").Replace("$2", "{1}", StringComparison.Ordinal), [ratingId, now.ToUniversalTime()], ct);

    /// <summary>The same inside a queue command's transaction: written with the command's other writes.</summary>
    internal static void Enqueue(Queue.CommandContext c, long ratingId) => c.Write(Queue.CommandContext.Statement(EnqueueSql("r.id = $1"), ratingId, c.Now.ToUniversalTime()));

    private static string EnqueueSql(string which) => $"""
        INSERT INTO outbox (hall_id, channel, rating_id, event_id, type, subject_key, occurred_at, state, revision, attempts, created_at, next_attempt_at)
        SELECT r.hall_id, 'province', r.id, r.id::text, 'rating', 'rating:' || r.id, r.at, 'pending', 0, 0, $2, $2 FROM ratings r WHERE {which}
        ON CONFLICT (rating_id) WHERE channel = 'province'
        DO UPDATE SET revision = outbox.revision + 1, state = 'pending', attempts = 0, next_attempt_at = EXCLUDED.next_attempt_at
        """;

    public async Task<IReadOnlyDictionary<long, OutboxRequest>> PrepareAsync(HallDb db, IReadOnlyList<OutboxClaim> claimed, CancellationToken ct)
    {
        var section = Section;
        long[] ids = [.. claimed.Where(c => c.RatingId is not null).Select(c => c.RatingId!.Value)];
        var ratings = await (
            from r in db.Ratings.AsNoTracking()
            where ids.Contains(r.Id)
            join t in db.Tickets on r.TicketId equals t.Id
            join h in db.Halls on r.HallId equals h.Id
            join s in db.Services on t.ServiceId equals s.Id
            from i in db.ServiceItems.Where(i => i.Id == t.ServiceItemId).DefaultIfEmpty()
            from w in db.Windows.Where(w => w.Id == r.WindowId).DefaultIfEmpty()
            from st in db.Staff.Where(x => x.Id == r.StaffId).DefaultIfEmpty()
            select new Upload(r.Id, h.Code, h.TimeZoneId, t.Number, t.BusinessDate, s.Code, s.Name, i == null ? null : i.Code, w == null ? null : w.Number,
                st == null ? null : st.StaffCode, r.Level, r.Reasons, r.Channel, r.At, t.CaseNumber, r.AppealUpheldAt)).ToDictionaryAsync(u => u.RatingId, ct);
        var endpoint = new Uri(section["Endpoint"]!);
        var secret = Encoding.UTF8.GetBytes(section["Secret"] ?? "");
        var timeout = TimeSpan.FromSeconds(section.GetValue("TimeoutSeconds", 10.0));
        var headers = section.GetSection("Headers");
        var names = new OutboxHeaders(headers["Timestamp"] ?? "X-Timestamp", headers["Nonce"] ?? "X-Nonce", headers["Signature"] ?? "X-Signature");
        List<KeyValuePair<string, string>> extra = [new(headers["AppId"] ?? "X-App-Id", section["AppId"] ?? "")];
        var base64 = string.Equals(section["SignatureEncoding"], "base64", StringComparison.OrdinalIgnoreCase);
        var fields = section.GetSection("Fields");
        var requests = new Dictionary<long, OutboxRequest>();
        foreach (var row in claimed)
        {
            if (row.RatingId is { } id && ratings.TryGetValue(id, out var upload))
            {
                requests[row.Id] = new OutboxRequest(endpoint, Body(upload, fields), secret, timeout, names, base64, extra);
            }
        }
        return requests;
    }

    /// <summary>The JSON body of one rating, under the configured field names.</summary>
    private static string Body(Upload u, IConfigurationSection fields)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(u.TimeZoneId);
        string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        var values = new Dictionary<string, JsonNode?>
        {
            ["ratingId"] = u.RatingId.ToString(CultureInfo.InvariantCulture),
            ["hallCode"] = u.HallCode,
            ["ticketNumber"] = u.TicketNumber,
            ["businessDate"] = u.BusinessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["serviceCode"] = u.ServiceCode,
            ["serviceName"] = u.ServiceName,
            ["itemCode"] = u.ItemCode,
            ["windowNumber"] = u.WindowNumber,
            ["staffCode"] = u.StaffCode,
            ["level"] = (int)u.Level,
            ["levelName"] = ReportFormat.Level(u.Level),
            ["reasons"] = new JsonArray([.. u.Reasons.Select(r => (JsonNode?)r)]),
            ["channel"] = u.Channel switch { RatingChannel.Evaluator => "evaluator", RatingChannel.Phone => "phone" },
            ["ratedAt"] = Local(u.At),
            ["caseNumber"] = u.CaseNumber,
            ["appealUpheld"] = u.AppealUpheldAt is not null,
            ["appealUpheldAt"] = u.AppealUpheldAt is { } upheld ? Local(upheld) : null,
        };
        var body = new JsonObject();
        foreach (var name in FieldNames)
        {
            body[fields[name] is { Length: > 0 } renamed ? renamed : name] = values[name];
        }
        return body.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private sealed record Upload(long RatingId, string HallCode, string TimeZoneId, string TicketNumber, DateOnly BusinessDate, string ServiceCode, string ServiceName,
        string? ItemCode, int? WindowNumber, string? StaffCode, RatingLevel Level, List<string> Reasons, RatingChannel Channel, DateTimeOffset At, string? CaseNumber,
        DateTimeOffset? AppealUpheldAt);
}
