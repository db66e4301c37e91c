namespace Hall.Server.Web;

/// <summary>How the staff pages show a running time: 4:07, or 1:04:07 past an hour; never negative.</summary>
public static class Durations
{
    public static string Format(TimeSpan span) => span < TimeSpan.Zero ? "0:00"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}" : $"{span.Minutes}:{span.Seconds:00}";
}
