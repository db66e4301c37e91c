using System.Text.Json;
using Hall.Server.Queue;

namespace Hall.Server.Security;

/// <summary>
/// The one rule for free text reaching the server (hub command strings, API fields, forms, query strings, admin forms):
/// no control character (C0, DEL, C1; a newline only in multi-line text), no bidirectional override, isolate or mark
/// (text that shows reversed on a screen or in a report), no broken surrogate pair. Such text is refused with
/// <see cref="Refusal.InvalidText"/>, never stripped: what is stored is what was sent.
/// </summary>
public static class FreeText
{
    public static bool IsClean(string? text, bool multiline = false)
    {
        if (text is null)
        {
            return true;
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (multiline && c is '\n' or '\r')
            {
                continue;
            }
            if (char.IsControl(c) || char.IsSurrogate(c) || IsBidiControl(c) || c is '\u2028' or '\u2029')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>LRM, RLM, ALM, the embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069).</summary>
    public static bool IsBidiControl(char c) => c is '\u200E' or '\u200F' or '\u061C' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>Whether every string in the JSON document (values and property names) is clean single-line text.</summary>
    public static bool IsClean(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => IsClean(element.GetString()),
        JsonValueKind.Array => element.EnumerateArray().All(IsClean),
        JsonValueKind.Object => element.EnumerateObject().All(p => IsClean(p.Name) && IsClean(p.Value)),
        _ => true,
    };
}
