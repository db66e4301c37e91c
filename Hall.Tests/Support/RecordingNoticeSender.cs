using System.Collections.Concurrent;
using Hall.Server.Notices;

namespace Hall.Tests.Support;

/// <summary>Stands where the SMS gateway would: keeps every notice the server sends; can be told to fail as a gateway that is down.</summary>
public sealed class RecordingNoticeSender : INoticeSender
{
    private int _failuresLeft;
    private int _failed;

    public ConcurrentQueue<Notice> Sent { get; } = new();

    /// <summary>How many sends failed (as a gateway answering 503).</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>The next <paramref name="count"/> sends fail.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    public Task SendAsync(Notice notice, CancellationToken ct)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Interlocked.Increment(ref _failed);
            throw new HttpRequestException("The SMS gateway answered 503 (test)");
        }
        Interlocked.Exchange(ref _failuresLeft, 0);
        Sent.Enqueue(notice);
        return Task.CompletedTask;
    }
}
