namespace Hall.Server.Hub;

/// <summary>Every SignalR group name, in one place.</summary>
public static class HubGroups
{
    /// <summary>Everyone connected to a hall: devices and staff consoles.</summary>
    public static string Hall(int hallId) => $"hall:{hallId}";
}
