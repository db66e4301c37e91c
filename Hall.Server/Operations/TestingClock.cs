namespace Hall.Server.Operations;

/// <summary>
/// A clock standing still at <c>Hall:Testing:Now</c> (an instant with its offset), honoured only in the <c>Testing</c>
/// environment: how a test starts a server <em>process</em> just before or just after local midnight. Tests in the
/// test process itself use a FakeTimeProvider instead.
/// </summary>
public sealed class TestingClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();

    public static TimeProvider For(WebApplicationBuilder builder) =>
        builder.Environment.IsEnvironment("Testing") && builder.Configuration["Hall:Testing:Now"] is { Length: > 0 } at
            ? new TestingClock(DateTimeOffset.Parse(at, global::System.Globalization.CultureInfo.InvariantCulture))
            : TimeProvider.System;
}
