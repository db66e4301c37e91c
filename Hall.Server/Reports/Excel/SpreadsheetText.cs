namespace Hall.Server.Reports.Excel;

/// <summary>
/// Text a spreadsheet must never run (CSV/formula injection, OWASP): a text cell that starts with <c>=</c>, <c>+</c>, <c>-</c>,
/// <c>@</c>, a tab or a carriage return is written with a single quote in front (<c>'=HYPERLINK(…)</c>). The file stores such
/// text as a string, never as a formula, already; the quote is what keeps it inert once a person edits the cell, copies it, or
/// saves the workbook as CSV and opens that — where a style's quotePrefix flag would be lost. Numbers are numbers, not text:
/// −1 written as a number stays the number −1.
/// </summary>
public static class SpreadsheetText
{
    /// <summary>The text as written to a cell: with a leading quote when it starts like a formula.</summary>
    public static string Inert(string text) => StartsLikeFormula(text) ? "'" + text : text;

    /// <summary>
    /// The text as Hall wrote it, read back from a workbook Hall exported (the catalogue file, edited and imported again): the
    /// quote <see cref="Inert"/> added is dropped, so a round trip changes nothing.
    /// </summary>
    public static string Restore(string text) => text.Length > 1 && text[0] == '\'' && StartsLikeFormula(text[1..]) ? text[1..] : text;

    /// <summary>Whether a spreadsheet could take the text for a formula or a command: it starts with = + - @, a tab or a CR.</summary>
    public static bool StartsLikeFormula(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
}
