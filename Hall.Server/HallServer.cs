using Hall.Server.Reports.Pdf;
using Hall.Server.Catalog;
using Hall.Server.Data;
using Hall.Server.Halls;
using Hall.Server.Hub;
using Hall.Server.Queue;
using Hall.Server.Reports;
using Hall.Server.Security;
using Hall.Server.Staff;
using Hall.Server.Web;
using Hall.Server.Media;
using Hall.Server.Notices;
using Hall.Server.Operations;
using Hall.Server.Tracking;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hall.Server;

/// <summary>The one composition root: Program.cs and the tests both use it.</summary>
public static class HallServer
{
    public static WebApplicationBuilder AddHall(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Framework files (blazor.web.js) straight from the build in every environment, not only Development;
        // a published server has them in wwwroot and this finds no manifest.
        builder.WebHost.UseStaticWebAssets();
        builder.AddWebHardening();
        services.AddSingleton(Operations.TestingClock.For(builder));
        // The privacy key first: without one, Production stops here, before anything starts.
        services.AddSingleton(PrivacyKeys.Load(builder.Configuration, builder.Environment));
        services.AddHostedService<PrivacyKeyLoad>();
        services.AddSingleton<DatabaseHost>();
        services.AddDbContextFactory<HallDb>((sp, o) =>
            o.UseNpgsql(sp.GetRequiredService<DatabaseHost>().ConnectionString)
             .UseSnakeCaseNamingConvention());
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseHost>());
        services.AddHostedService<KeyRingCheck>();
        services.AddSingleton<Devices.CallAcks>();
        services.AddHostedService(sp => sp.GetRequiredService<Devices.CallAcks>());
        services.AddSingleton<HallSettings>();
        services.AddSingleton<QueuePositions>();
        services.AddSingleton<HallNotifier>();
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<LocalClients>();
        services.AddSingleton<HubBackend>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed>());
        services.AddSingleton<CommandRunner>();
        services.AddSingleton<QueueService>();
        services.AddSingleton<StaffLogin>();
        services.AddSingleton<ConnectionGuard>();
        services.AddHostedService(sp => sp.GetRequiredService<ConnectionGuard>());
        services.AddSingleton<IdleSessions>();
        // Data Protection keys live in the database, so every server instance can read the numbers another encrypted;
        // each is wrapped with the privacy key, which does not, so a copy of the database cannot.
        services.AddDataProtection().SetApplicationName("Hall").PersistKeysToDbContext<HallDb>();
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<PrivacyKeys>((o, keys) => o.XmlEncryptor = new KeyRingEncryptor(keys));
        services.AddSingleton<MobileNumbers>();
        services.AddSingleton<MediaLibrary>();
        services.AddSingleton<BackgroundJobs>();
        services.AddSingleton<CatalogImportJobs>();
        if (builder.Configuration["Hall:Notice:WebhookUrl"] is { Length: > 0 })
        {
            services.AddHttpClient<INoticeSender, WebhookNoticeSender>(c => c.Timeout = TimeSpan.FromSeconds(10));
        }
        else
        {
            services.TryAddSingleton<INoticeSender, LoggingNoticeSender>();
        }
        services.AddHostedService<NoticeDispatcher>();
        services.AddSingleton<MobileRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<MobileRetention>());
        services.AddSingleton<PersonalDataRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<PersonalDataRetention>());
        services.AddAuthentication(HallAuth.SchemeName).AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, HallAuth>(HallAuth.SchemeName, null);
        services.AddAuthorization();
        // The staff pages: Blazor, interactive on the server, signed in with the same hall_session cookie.
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddScoped<SessionActivity>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler>(sp => sp.GetRequiredService<SessionActivity>());
        services.AddSingleton<ConsoleData>();
        services.AddSingleton<Ratings.EvaluatorData>();
        services.AddSingleton<Ratings.FollowUps>();
        services.AddSingleton<Complaints.Complaints>();
        services.AddSingleton<Patrol.Patrols>();
        services.AddSingleton<Alerts.AlertMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<Alerts.AlertMonitor>());
        services.AddSingleton<WallData>();
        services.AddSingleton<Admin.AdminStore>();
        services.AddSingleton<Staff.StaffCards>();
        services.AddSingleton<LobbyScreens>();
        services.AddSingleton<SynonymStore>();
        services.AddSingleton<Reports.ReportBuilder>();
        // Reports need a Chinese font; without one the hall runs on and only reports are refused.
        services.AddSingleton<ReportFont>();
        services.AddHostedService(sp => sp.GetRequiredService<ReportFont>());
        services.AddSingleton<Reports.IReportRenderer, Reports.ReportRenderer>();
        services.AddSingleton<Reports.ReportStore>();
        services.AddSingleton<Reports.ReportIssuing>();
        services.AddSingleton<Bookings.BookingService>();
        services.AddSingleton<Bookings.BookingDesk>();
        services.AddSingleton<Bookings.BookingSchedules>();
        services.AddSingleton<Bookings.BookingSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<Bookings.BookingSweep>());
        services.AddSingleton<Bookings.BookingItems>();
        services.AddSingleton<Bookings.BookingNotices>();
        services.AddHostedService(sp => sp.GetRequiredService<Bookings.BookingNotices>());
        services.AddSingleton<Outbox.RatingUploads>();
        services.AddSingleton<Outbox.HallEvents>();
        services.AddSingleton<Outbox.IOutboxChannel>(sp => sp.GetRequiredService<Outbox.RatingUploads>());
        services.AddSingleton<Outbox.IOutboxChannel>(sp => sp.GetRequiredService<Outbox.HallEvents>());
        services.AddSingleton<Outbox.OutboxAdmin>();
        // No redirects: a message goes to the address configured, or not at all.
        services.AddHttpClient(Outbox.OutboxSender.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddSingleton<Outbox.OutboxSender>();
        services.AddHostedService(sp => sp.GetRequiredService<Outbox.OutboxSender>());
        services.AddSingleton<Outbox.OutboxRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<Outbox.OutboxRetention>());
        Bookings.BookingEndpoints.AddBookingLimits(services, builder.Configuration);
        Bookings.BookingOpenApi.AddBookingOpenApi(services);
        services.AddSingleton<Reports.ReportJobs>();
        services.AddSingleton<Reports.ReportSchedule>();
        services.AddHostedService(sp => sp.GetRequiredService<Reports.ReportSchedule>());
        builder.AddOperations();
        var signalR = services.AddSignalR(o =>
        {
            o.MaximumReceiveMessageSize = 64 * 1024;
            o.AddFilter<ArgumentFilter>();
            o.AddFilter<CredentialFilter>();
            o.EnableDetailedErrors = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        }).AddJsonProtocol();
        // Several server instances: hub messages go through Redis so a call made on one reaches the displays on all.
        if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            signalR.AddRedisBackplane(redis);
        }
        RunAfterMigrations(services, "DataProtectionHostedService");
        return builder;
    }

    /// <summary>
    /// Moves a framework start-up service that reads the database behind <see cref="DatabaseHost"/>: Data Protection's own
    /// reads the key ring when the host starts, which on a fresh install came before the migrations made its table and
    /// greeted the operator with three errors (KeyRingCheck reads the ring again after the migrations anyway).
    /// </summary>
    private static void RunAfterMigrations(IServiceCollection services, string implementation)
    {
        foreach (var early in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == implementation).ToList())
        {
            services.Remove(early);
            services.Add(early);
        }
    }

    public static WebApplication MapHall(this WebApplication app)
    {
        app.UseWebHardening();
        app.UseApiErrors();
        app.UseCookieRequestGuard();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseRateLimiter();
        app.MapStaticAssets();
        app.MapHub<HallHub>("/hubs/hall");
        app.MapStaffEndpoints();
        app.MapClerkPage();
        app.MapTrackingPage();
        app.MapCatalogEndpoints();
        app.MapHallEndpoints();
        app.MapMediaEndpoints();
        app.MapReportEndpoints();
        Tickets.CaseNumberEndpoints.MapCaseNumberEndpoints(app);
        Ratings.RatingExportEndpoints.MapRatingExportEndpoints(app);
        Complaints.ComplaintEndpoints.MapComplaintEndpoints(app);
        Bookings.BookingEndpoints.MapBookingEndpoints(app);
        Bookings.BookingOpenApi.MapBookingOpenApi(app);
        Bookings.BookingPage.MapBookingPage(app);
        app.MapBenchmarkEndpoints();
        Lang.MapLanguageSwitch(app);
        app.MapDevicePairing();
        app.MapRazorComponents<Hall.Server.Web.Components.App>().AddInteractiveServerRenderMode();
        app.MapOperations();
        return app;
    }
}
