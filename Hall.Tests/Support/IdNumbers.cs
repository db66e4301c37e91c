namespace Hall.Tests.Support;

/// <summary>Resident ID numbers for tests: GB 11643's check character, so the server's own check accepts them.</summary>
public static class IdNumbers
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>The check character of the first 17 digits (weights 2^(17−i) mod 11; a remainder naming 10 is X).</summary>
    public static char CheckCharacter(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }
        return "10X98765432"[sum % 11];
    }

    /// <summary>The 18-character number: the 17 digits given and their check character.</summary>
    public static string Complete(string first17) => first17 + CheckCharacter(first17);
}
