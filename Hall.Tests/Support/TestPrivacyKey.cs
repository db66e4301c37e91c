using System.Security.Cryptography;

namespace Hall.Tests.Support;

/// <summary>
/// The privacy key every server of the test run uses unless a test gives its own: in-process servers and server
/// processes share databases, so they must share the key (a server with another one refuses the database's key ring).
/// </summary>
public static class TestPrivacyKey
{
    private static readonly Lazy<string> Path_ = new(Create);

    public static string File => Path_.Value;

    private static string Create()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "test-privacy.key");
        if (!System.IO.File.Exists(path))
        {
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            System.IO.File.WriteAllText(temporary, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
            if (!OperatingSystem.IsWindows())
            {
                System.IO.File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            try
            {
                System.IO.File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (System.IO.File.Exists(path))
            {
                System.IO.File.Delete(temporary);
            }
        }
        return path;
    }
}
