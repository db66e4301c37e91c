namespace Hall.Server.Reports.Pdf;

public static class PdfReportsSetup
{
    /// <summary>Setting holding the report font's path (e.g. C:\Windows\Fonts\msyh.ttc); <see cref="PdfFonts.DefaultPath"/> when unset.</summary>
    public const string FontPathKey = "Hall:Reports:FontPath";

    /// <summary>
    /// Registers the report font as a process-wide singleton, loaded on first use, so a missing font fails the first
    /// report with its bilingual message instead of keeping the server from starting.
    /// </summary>
    public static IServiceCollection AddPdfReports(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(_ => PdfFonts.Load(configuration[FontPathKey]));
}
