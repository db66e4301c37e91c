using Hall.Server.Contracts;

namespace Hall.Server.Media;

/// <summary>A video or still image of the hall's media library (普法 videos, notices), stored once by its SHA-256.</summary>
public sealed class MediaItem
{
    public int Id { get; set; }
    public int HallId { get; set; }
    public required string Title { get; set; }
    public MediaKind Kind { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    /// <summary>Lower-case hex SHA-256 of the file: its name in the store, and what a display verifies after downloading.</summary>
    public required string Sha256 { get; set; }
    /// <summary>How long a still image stays on screen.</summary>
    public int DisplaySeconds { get; set; }
    /// <summary>A legal-awareness (普法) item: its plays are counted in the bulletin and the rule-of-law report.</summary>
    public bool Legal { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
    /// <summary>When the admin deleted it: kept (not removed) so the displays' plays of it and the bulletin still name it.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>An ordered list of media with the times it is shown; when several apply, the highest priority wins.</summary>
public sealed class Playlist
{
    public int Id { get; set; }
    public int HallId { get; set; }
    public required string Name { get; set; }
    public List<int> MediaIds { get; set; } = [];
    public DateOnly? From { get; set; }
    public DateOnly? To { get; set; }
    /// <summary>0 = Sunday … 6 = Saturday; empty = every day.</summary>
    public List<int> Days { get; set; } = [];
    /// <summary>"HH:mm-HH:mm" local ranges; empty = all day.</summary>
    public List<string> Times { get; set; } = [];
    public int Priority { get; set; }
}

/// <summary>One play of a media item on a display (proof of play), reported by the display with its own id so a resend counts once.</summary>
public sealed class MediaPlay
{
    public Guid PlayId { get; set; }
    public int HallId { get; set; }
    public int DeviceId { get; set; }
    public int MediaId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset EndedAt { get; set; }
    public bool Completed { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
