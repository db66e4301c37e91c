namespace Hall.Server.Security;

/// <summary>A secret the servers share through the database, e.g. the key of the mobile-number HMAC.</summary>
public sealed class ServerSecret
{
    public required string Name { get; set; }
    public required byte[] Value { get; set; }
}
