using System.Collections.Concurrent;
using Hall.Server.Notices;

namespace Hall.Tests.Support;

/// <summary>Stands where the SMS gateway would: keeps every notice the server sends.</summary>
public sealed class RecordingNoticeSender : INoticeSender
{
    public ConcurrentQueue<Notice> Sent { get; } = new();

    public Task SendAsync(Notice notice, CancellationToken ct)
    {
        Sent.Enqueue(notice);
        return Task.CompletedTask;
    }
}
