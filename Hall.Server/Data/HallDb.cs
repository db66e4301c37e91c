using System.Text.Json;
using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Devices;
using Hall.Server.Halls;
using Hall.Server.Queue;
using Hall.Server.Security;
using Hall.Server.Staff;
using Hall.Server.Tickets;
using Hall.Server.Windows;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Hall.Server.Data;

/// <summary>The one database of Hall.</summary>
/// <remarks>
/// New migration: <c>dotnet ef migrations add NAME --project Hall.Server --output-dir Data/Migrations</c>.
/// SQL for a DBA: <c>dotnet ef migrations script --idempotent --project Hall.Server</c>.
/// </remarks>
public sealed class HallDb(DbContextOptions<HallDb> options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>Ticket events and window events draw their ids from this sequence: one version space per database.</summary>
    public const string VersionSequence = "hall_version_seq";

    public DbSet<HallSite> Halls => Set<HallSite>();
    public DbSet<HallCalendarDay> CalendarDays => Set<HallCalendarDay>();
    public DbSet<HallHoursVersion> HoursHistory => Set<HallHoursVersion>();
    public DbSet<RosterDay> Rosters => Set<RosterDay>();
    public DbSet<StaffLeave> Leaves => Set<StaffLeave>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<ServiceItem> ServiceItems => Set<ServiceItem>();
    public DbSet<SearchSynonym> SearchSynonyms => Set<SearchSynonym>();
    public DbSet<Window> Windows => Set<Window>();
    public DbSet<WindowService> WindowServices => Set<WindowService>();
    public DbSet<WindowSession> WindowSessions => Set<WindowSession>();
    public DbSet<WindowEvent> WindowEvents => Set<WindowEvent>();
    public DbSet<StaffMember> Staff => Set<StaffMember>();
    public DbSet<StaffSession> StaffSessions => Set<StaffSession>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<DisplayCallAck> DisplayCallAcks => Set<DisplayCallAck>();
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<StaffPhoto> StaffPhotos => Set<StaffPhoto>();
    public DbSet<TicketEvent> TicketEvents => Set<TicketEvent>();
    public DbSet<Rating> Ratings => Set<Rating>();
    public DbSet<NumberCounter> NumberCounters => Set<NumberCounter>();
    public DbSet<Ratings.FollowUpCase> FollowUpCases => Set<Ratings.FollowUpCase>();
    public DbSet<Complaints.Complaint> Complaints => Set<Complaints.Complaint>();
    public DbSet<Patrol.PatrolRound> PatrolRounds => Set<Patrol.PatrolRound>();
    public DbSet<Patrol.PatrolFinding> PatrolFindings => Set<Patrol.PatrolFinding>();
    public DbSet<Alerts.Alert> Alerts => Set<Alerts.Alert>();
    public DbSet<Admin.AuditEntry> AuditEntries => Set<Admin.AuditEntry>();
    public DbSet<CommandRecord> Commands => Set<CommandRecord>();
    /// <summary>ASP.NET Core Data Protection's keys, shared by every server instance (they decrypt each other's mobile numbers).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Media.MediaItem> MediaItems => Set<Media.MediaItem>();
    public DbSet<Media.Playlist> Playlists => Set<Media.Playlist>();
    public DbSet<Media.MediaPlay> MediaPlays => Set<Media.MediaPlay>();
    public DbSet<Reports.StoredReport> Reports => Set<Reports.StoredReport>();
    public DbSet<Bookings.SlotSchedule> SlotSchedules => Set<Bookings.SlotSchedule>();
    public DbSet<Bookings.Booking> Bookings => Set<Bookings.Booking>();
    public DbSet<Bookings.BookingSlot> BookingSlots => Set<Bookings.BookingSlot>();
    public DbSet<Operations.BackgroundJob> BackgroundJobs => Set<Operations.BackgroundJob>();
    public DbSet<Outbox.OutboxMessage> Outbox => Set<Outbox.OutboxMessage>();
    public DbSet<Outbox.WebhookEndpoint> WebhookEndpoints => Set<Outbox.WebhookEndpoint>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums as text: the tables read plainly in psql and in reports.
        configurationBuilder.Properties<TicketState>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<PriorityClass>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<WindowStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<WindowKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<DeviceRole>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<StaffRole>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<TicketEventKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<WindowEventKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<RatingLevel>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<AcceptanceMode>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<LeaveKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Patrol.PatrolCategory>().HaveConversion<string>().HaveMaxLength(16);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasSequence<long>(VersionSequence);
        var hours = JsonComparer<WeeklyHours?>();

        modelBuilder.Entity<HallSite>(e =>
        {
            e.ToTable("halls");
            e.HasIndex(h => h.Code).IsUnique();
            e.Property(h => h.Code).HasMaxLength(32);
            e.Property(h => h.Name).HasMaxLength(100);
            e.Property(h => h.TimeZoneId).HasMaxLength(64);
            e.Property(h => h.Hours).HasConversion(ToJson<WeeklyHours>(), FromJson<WeeklyHours>(), hours!).HasColumnType("jsonb");
            e.Property(h => h.Display).HasConversion(ToJson<Media.DisplaySettings>(), FromJson<Media.DisplaySettings>(), JsonComparer<Media.DisplaySettings>()).HasColumnType("jsonb");
            e.Property(h => h.Booking).HasConversion(ToJson<Bookings.BookingRules>(), FromJson<Bookings.BookingRules>(), JsonComparer<Bookings.BookingRules>()).HasColumnType("jsonb");
            e.HasMany(h => h.Calendar).WithOne().HasForeignKey(c => c.HallId);
            e.HasOne<HallSite>().WithMany().HasForeignKey(h => h.ParentId);
        });
        modelBuilder.Entity<HallCalendarDay>(e =>
        {
            e.ToTable("hall_calendar_days");
            e.HasKey(c => new { c.HallId, c.Date });
            e.Property(c => c.Note).HasMaxLength(100);
        });
        modelBuilder.Entity<HallHoursVersion>(e =>
        {
            e.ToTable("hall_hours_history");
            e.HasKey(v => new { v.HallId, v.EffectiveFrom });
            e.HasOne<HallSite>().WithMany().HasForeignKey(v => v.HallId);
            e.Property(v => v.Hours).HasConversion(ToJson<WeeklyHours>(), FromJson<WeeklyHours>(), hours!).HasColumnType("jsonb");
        });
        modelBuilder.Entity<RosterDay>(e =>
        {
            e.ToTable("roster_days");
            e.HasKey(r => new { r.StaffId, r.Date });
            e.HasIndex(r => new { r.HallId, r.Date });
            e.HasOne<HallSite>().WithMany().HasForeignKey(r => r.HallId);
            e.HasOne<StaffMember>().WithMany().HasForeignKey(r => r.StaffId);
            e.HasOne<Window>().WithMany().HasForeignKey(r => r.WindowId).OnDelete(DeleteBehavior.SetNull);
        });
        modelBuilder.Entity<StaffLeave>(e =>
        {
            e.ToTable("staff_leaves");
            e.HasIndex(l => new { l.HallId, l.From });
            e.HasOne<HallSite>().WithMany().HasForeignKey(l => l.HallId);
            e.HasOne<StaffMember>().WithMany().HasForeignKey(l => l.StaffId);
            e.Property(l => l.Note).HasMaxLength(100);
        });
        modelBuilder.Entity<Service>(e =>
        {
            e.ToTable("services");
            e.HasOne<HallSite>().WithMany().HasForeignKey(s => s.HallId);
            e.HasIndex(s => new { s.HallId, s.Code }).IsUnique();
            e.HasIndex(s => new { s.HallId, s.Prefix }).IsUnique();
            e.Property(s => s.Code).HasMaxLength(32);
            e.Property(s => s.Name).HasMaxLength(100);
            e.Property(s => s.NameEn).HasMaxLength(100);
            e.Property(s => s.Hours).HasConversion(ToJson<WeeklyHours?>(), FromJson<WeeklyHours?>(), hours).HasColumnType("jsonb");
        });
        modelBuilder.Entity<ServiceItem>(e =>
        {
            e.ToTable("service_items");
            e.HasOne<HallSite>().WithMany().HasForeignKey(s => s.HallId);
            e.HasOne<Service>().WithMany().HasForeignKey(s => s.ServiceId);
            e.HasIndex(s => new { s.HallId, s.Code }).IsUnique();
            e.Property(s => s.Code).HasMaxLength(64);
            e.Property(s => s.Name).HasMaxLength(200);
            e.Property(s => s.Initials).HasMaxLength(64);
            e.Property(s => s.Department).HasMaxLength(100);
        });
        modelBuilder.Entity<SearchSynonym>(e =>
        {
            e.ToTable("search_synonyms");
            e.HasOne<HallSite>().WithMany().HasForeignKey(s => s.HallId);
            e.HasIndex(s => new { s.HallId, s.Word }).IsUnique();
            e.Property(s => s.Word).HasMaxLength(SynonymStore.MaxWordLength);
        });
        modelBuilder.Entity<Window>(e =>
        {
            e.ToTable("windows");
            e.HasOne<HallSite>().WithMany().HasForeignKey(w => w.HallId);
            e.HasIndex(w => new { w.HallId, w.Number }).IsUnique();
            e.Property(w => w.Name).HasMaxLength(100);
            e.HasMany(w => w.Services).WithOne().HasForeignKey(s => s.WindowId);
        });
        modelBuilder.Entity<WindowService>(e =>
        {
            e.ToTable("window_services");
            e.HasKey(s => new { s.WindowId, s.ServiceId });
            e.HasOne<Service>().WithMany().HasForeignKey(s => s.ServiceId);
        });
        modelBuilder.Entity<WindowSession>(e =>
        {
            e.ToTable("window_sessions");
            e.HasOne<Window>().WithMany().HasForeignKey(s => s.WindowId);
            e.HasOne<StaffMember>().WithMany().HasForeignKey(s => s.StaffId);
            // One unclosed session per window, whichever server opened it.
            e.HasIndex(s => s.WindowId).IsUnique().HasFilter("closed_at IS NULL");
            e.Property(s => s.PauseReason).HasMaxLength(200);
        });
        modelBuilder.Entity<WindowEvent>(e =>
        {
            e.ToTable("window_events");
            e.Property(w => w.Id).HasDefaultValueSql($"nextval('{VersionSequence}')").ValueGeneratedOnAdd();
            e.HasIndex(w => new { w.HallId, w.At });
            e.Property(w => w.Reason).HasMaxLength(200);
        });
        modelBuilder.Entity<StaffMember>(e =>
        {
            e.ToTable("staff");
            e.HasOne<HallSite>().WithMany().HasForeignKey(s => s.HallId);
            e.HasIndex(s => s.Login).IsUnique();
            e.Property(s => s.Login).HasMaxLength(64);
            e.Property(s => s.Name).HasMaxLength(100);
            e.Property(s => s.StaffCode).HasMaxLength(16);
        });
        modelBuilder.Entity<StaffPhoto>(e =>
        {
            e.ToTable("staff_photos");
            e.HasKey(p => p.StaffId);
            e.HasOne<StaffMember>().WithMany().HasForeignKey(p => p.StaffId);
        });
        modelBuilder.Entity<StaffSession>(e =>
        {
            e.ToTable("staff_sessions");
            e.HasOne<StaffMember>().WithMany().HasForeignKey(s => s.StaffId);
        });
        modelBuilder.Entity<Device>(e =>
        {
            e.ToTable("devices");
            e.HasOne<HallSite>().WithMany().HasForeignKey(d => d.HallId);
            e.HasOne<Window>().WithMany().HasForeignKey(d => d.WindowId);
            e.Property(d => d.Name).HasMaxLength(100);
            e.Property(d => d.Status).HasMaxLength(32);
            e.Property(d => d.StatusDetail).HasMaxLength(200);
        });
        modelBuilder.Entity<DataProtectionKey>(e => e.ToTable("data_protection_keys"));
        modelBuilder.Entity<Media.MediaItem>(e =>
        {
            e.ToTable("media_items");
            e.HasOne<HallSite>().WithMany().HasForeignKey(m => m.HallId);
            e.Property(m => m.Title).HasMaxLength(200);
            e.Property(m => m.ContentType).HasMaxLength(64);
            e.Property(m => m.Sha256).HasMaxLength(64);
            e.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
        });
        modelBuilder.Entity<Media.Playlist>(e =>
        {
            e.ToTable("playlists");
            e.HasOne<HallSite>().WithMany().HasForeignKey(p => p.HallId);
            e.Property(p => p.Name).HasMaxLength(100);
        });
        modelBuilder.Entity<Media.MediaPlay>(e =>
        {
            e.ToTable("media_plays");
            e.HasKey(p => p.PlayId);
            // A media item is never removed under its plays (deleting one only marks it): the bulletin names what was played.
            e.HasOne<Media.MediaItem>().WithMany().HasForeignKey(p => p.MediaId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Device>().WithMany().HasForeignKey(p => p.DeviceId);
            e.HasIndex(p => new { p.HallId, p.StartedAt });
        });
        modelBuilder.Entity<DisplayCallAck>(e =>
        {
            e.ToTable("display_call_acks");
            e.HasKey(a => new { a.DeviceId, a.CallId });
            e.HasOne<Device>().WithMany().HasForeignKey(a => a.DeviceId);
            e.HasOne<TicketEvent>().WithMany().HasForeignKey(a => a.CallId);
        });
        modelBuilder.Entity<Ticket>(e =>
        {
            e.ToTable("tickets");
            e.HasOne<HallSite>().WithMany().HasForeignKey(t => t.HallId);
            e.HasOne<Service>().WithMany().HasForeignKey(t => t.ServiceId);
            e.Property(t => t.Number).HasMaxLength(8);
            e.Property(t => t.Outcome).HasMaxLength(32);
            e.Property(t => t.Version).IsRowVersion();
            // A number is issued once per hall and business date (prefixes are unique per hall); a transferred ticket keeps it.
            e.HasIndex(t => new { t.HallId, t.BusinessDate, t.Number }).IsUnique();
            e.HasIndex(t => new { t.ServiceId, t.BusinessDate, t.State });
            // A window holds at most one called or serving ticket.
            e.HasIndex(t => t.WindowId).IsUnique().HasFilter("state IN ('Called', 'Serving')").HasDatabaseName("ix_tickets_one_active_per_window");
            e.HasIndex(t => new { t.HallId, t.BusinessDate, t.State });
            e.Property(t => t.TrackingCode).HasMaxLength(32);
            e.HasIndex(t => t.TrackingCode).IsUnique();
            e.Property(t => t.MobileMasked).HasMaxLength(16);
            e.Property(t => t.IdMasked).HasMaxLength(18);
            e.Property(t => t.MissingMaterials).HasMaxLength(TicketRules.MaxTextLength);
            e.Property(t => t.FinishNote).HasMaxLength(TicketRules.MaxTextLength);
            e.Property(t => t.TransferNote).HasMaxLength(TicketRules.MaxTextLength);
            e.Property(t => t.CaseNumber).HasMaxLength(64);
            // The per-kiosk rate limit counts a device's tickets of the last minute.
            e.HasIndex(t => new { t.IssuedByDeviceId, t.IssuedAt });
            e.HasIndex(t => new { t.ServiceId, t.BusinessDate }).HasFilter("state = 'Waiting' AND booked_for IS NOT NULL").HasDatabaseName("ix_tickets_waiting_booked");
        });
        modelBuilder.Entity<TicketEvent>(e =>
        {
            e.ToTable("ticket_events");
            e.Property(t => t.Id).HasDefaultValueSql($"nextval('{VersionSequence}')").ValueGeneratedOnAdd();
            e.HasOne<Ticket>().WithMany().HasForeignKey(t => t.TicketId);
            e.HasIndex(t => t.TicketId);
            e.HasIndex(t => new { t.HallId, t.At });
            e.Property(t => t.Outcome).HasMaxLength(32);
            e.Property(t => t.Detail).HasMaxLength(400);
        });
        modelBuilder.Entity<Rating>(e =>
        {
            e.ToTable("ratings");
            e.HasOne<Ticket>().WithMany().HasForeignKey(r => r.TicketId);
            e.HasIndex(r => r.TicketId).IsUnique();
            e.Property(r => r.Channel).HasConversion<string>().HasMaxLength(16);
        });
        modelBuilder.Entity<Admin.AuditEntry>(e =>
        {
            e.ToTable("audit_entries");
            e.HasIndex(a => new { a.HallId, a.Id });
            e.Property(a => a.StaffName).HasMaxLength(100);
            e.Property(a => a.Action).HasMaxLength(40);
            e.Property(a => a.Subject).HasMaxLength(140);
            e.Property(a => a.Before).HasColumnType("jsonb");
            e.Property(a => a.After).HasColumnType("jsonb");
        });
        modelBuilder.Entity<Alerts.Alert>(e =>
        {
            e.ToTable("alerts");
            e.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(a => a.Subject).HasMaxLength(60);
            e.Property(a => a.TextZh).HasMaxLength(300);
            e.Property(a => a.TextEn).HasMaxLength(300);
            e.Property(a => a.AcknowledgedByName).HasMaxLength(100);
            // One open alert per condition, also with several servers evaluating at once.
            e.HasIndex(a => new { a.HallId, a.Kind, a.Subject }).IsUnique().HasFilter("cleared_at IS NULL");
            e.HasIndex(a => new { a.HallId, a.RaisedAt });
        });
        modelBuilder.Entity<Ratings.FollowUpCase>(e =>
        {
            e.ToTable("follow_up_cases");
            e.HasOne<Ticket>().WithMany().HasForeignKey(f => f.TicketId);
            e.HasIndex(f => f.TicketId).IsUnique();
            e.HasIndex(f => new { f.HallId, f.ClosedAt });
            e.Property(f => f.TicketNumber).HasMaxLength(8);
            e.Property(f => f.ContactMasked).HasMaxLength(16);
            e.Property(f => f.Notes).HasConversion(ToJson<List<Ratings.FollowUpNote>>(), FromJson<List<Ratings.FollowUpNote>>(), JsonComparer<List<Ratings.FollowUpNote>>()).HasColumnType("jsonb");
            e.Property(f => f.Finding).HasMaxLength(500);
            e.Property(f => f.RemedyPlan).HasMaxLength(500);
            e.Property(f => f.RemedyResult).HasMaxLength(500);
            e.Property(f => f.CallBackVerdict).HasConversion<string>().HasMaxLength(20);
            e.Property(f => f.CallBackNote).HasMaxLength(500);
            e.Property(f => f.AppealKind).HasConversion<string>().HasMaxLength(20);
            e.Property(f => f.AppealReason).HasMaxLength(500);
            e.Property(f => f.AppealDecision).HasMaxLength(500);
            // Result holds "申诉采纳：" and the decision's reason when an appeal closed the case.
            e.Property(f => f.Result).HasMaxLength(520);
        });
        modelBuilder.Entity<Complaints.Complaint>(e =>
        {
            e.ToTable("complaints");
            e.HasOne<HallSite>().WithMany().HasForeignKey(c => c.HallId);
            e.HasOne<Ticket>().WithMany().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Window>().WithMany().HasForeignKey(c => c.WindowId).OnDelete(DeleteBehavior.SetNull);
            // A complaint number is given once per hall, whichever server registers it.
            e.HasIndex(c => new { c.HallId, c.Number }).IsUnique();
            e.HasIndex(c => new { c.HallId, c.BusinessDate });
            e.HasIndex(c => new { c.HallId, c.ClosedAt });
            e.Property(c => c.Number).HasMaxLength(24);
            e.Property(c => c.RegisteredByName).HasMaxLength(100);
            e.Property(c => c.Channel).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.Category).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.Verdict).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.CitizenMasked).HasMaxLength(40);
            e.Property(c => c.MobileMasked).HasMaxLength(16);
            e.Property(c => c.Description).HasMaxLength(Hall.Server.Complaints.Complaints.MaxText);
            e.Property(c => c.Department).HasMaxLength(100);
            e.Property(c => c.TicketNumber).HasMaxLength(8);
            e.Property(c => c.AssigneeName).HasMaxLength(100);
            e.Property(c => c.AssignedByName).HasMaxLength(100);
            e.Property(c => c.Answer).HasMaxLength(Hall.Server.Complaints.Complaints.MaxText);
            e.Property(c => c.AnsweredByName).HasMaxLength(100);
            e.Property(c => c.CallBackNote).HasMaxLength(Hall.Server.Complaints.Complaints.MaxText);
            e.Property(c => c.CalledBackByName).HasMaxLength(100);
            e.Property(c => c.ClosedByName).HasMaxLength(100);
        });
        modelBuilder.Entity<Patrol.PatrolRound>(e =>
        {
            e.ToTable("patrol_rounds");
            e.HasOne<HallSite>().WithMany().HasForeignKey(r => r.HallId);
            e.HasOne<StaffMember>().WithMany().HasForeignKey(r => r.InspectorStaffId);
            e.HasIndex(r => new { r.HallId, r.BusinessDate });
            e.Property(r => r.InspectorName).HasMaxLength(100);
            e.Property(r => r.SignedByName).HasMaxLength(100);
            e.Property(r => r.Checks).HasConversion(ToJson<List<Patrol.PatrolCheck>>(), FromJson<List<Patrol.PatrolCheck>>(), JsonComparer<List<Patrol.PatrolCheck>>()).HasColumnType("jsonb");
        });
        modelBuilder.Entity<Patrol.PatrolFinding>(e =>
        {
            e.ToTable("patrol_findings");
            e.HasOne<Patrol.PatrolRound>().WithMany().HasForeignKey(f => f.RoundId);
            e.HasOne<HallSite>().WithMany().HasForeignKey(f => f.HallId);
            e.HasOne<Window>().WithMany().HasForeignKey(f => f.WindowId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(f => new { f.HallId, f.ClosedAt });
            e.HasIndex(f => new { f.HallId, f.BusinessDate });
            e.Property(f => f.Description).HasMaxLength(Patrol.Patrols.MaxText);
            e.Property(f => f.Requirement).HasMaxLength(Patrol.Patrols.MaxText);
            e.Property(f => f.Result).HasMaxLength(Patrol.Patrols.MaxText);
            e.Property(f => f.ClosedByName).HasMaxLength(100);
        });
        modelBuilder.Entity<NumberCounter>(e =>
        {
            e.ToTable("number_counters");
            e.HasKey(c => new { c.ServiceId, c.BusinessDate });
            e.HasOne<Service>().WithMany().HasForeignKey(c => c.ServiceId);
        });
        modelBuilder.Entity<Reports.StoredReport>(e =>
        {
            e.ToTable("reports");
            e.HasOne<HallSite>().WithMany().HasForeignKey(r => r.HallId);
            e.HasOne<StaffMember>().WithMany().HasForeignKey(r => r.GeneratedByStaffId);
            // One report per hall, kind and period, however many servers run the schedule.
            e.HasIndex(r => new { r.HallId, r.Kind, r.PeriodFrom }).IsUnique();
            e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(r => r.Title).HasMaxLength(200);
            e.HasOne<StaffMember>().WithMany().HasForeignKey(r => r.IssuedByStaffId);
            // A 发文字号 is given once per hall and year, whichever server issues.
            e.HasIndex(r => new { r.HallId, r.DocumentYear, r.DocumentSerial }).IsUnique().HasFilter("document_serial IS NOT NULL");
            e.Property(r => r.DocumentNumber).HasMaxLength(40);
            e.Property(r => r.Problems).HasMaxLength(Hall.Server.Reports.StoredReportText.MaxSection);
            e.Property(r => r.Praise).HasMaxLength(Hall.Server.Reports.StoredReportText.MaxSection);
            e.Property(r => r.Requirements).HasMaxLength(Hall.Server.Reports.StoredReportText.MaxSection);
        });
        modelBuilder.Entity<Bookings.SlotSchedule>(e =>
        {
            e.ToTable("slot_schedules");
            e.HasOne<HallSite>().WithMany().HasForeignKey(s => s.HallId);
            e.HasOne<Service>().WithMany().HasForeignKey(s => s.ServiceId);
            // One schedule per service.
            e.HasIndex(s => s.ServiceId).IsUnique();
        });
        modelBuilder.Entity<Bookings.Booking>(e =>
        {
            e.ToTable("bookings");
            e.HasOne<HallSite>().WithMany().HasForeignKey(b => b.HallId);
            e.HasOne<Service>().WithMany().HasForeignKey(b => b.ServiceId);
            e.HasOne<ServiceItem>().WithMany().HasForeignKey(b => b.ServiceItemId);
            e.HasOne<Ticket>().WithMany().HasForeignKey(b => b.TicketId);
            e.HasIndex(b => new { b.HallId, b.Code }).IsUnique();
            // The same request twice books once, whichever server takes it.
            e.HasIndex(b => new { b.HallId, b.RequestId }).IsUnique();
            e.HasIndex(b => new { b.HallId, b.IdHmac });
            e.HasIndex(b => new { b.ServiceId, b.Date, b.Start });
            // The notice sender's look each round: only bookings still open with a number to send to.
            e.HasIndex(b => new { b.HallId, b.Date }).HasDatabaseName("ix_bookings_notices_due").HasFilter("state = 'Booked' AND mobile_cipher IS NOT NULL");
            e.Property(b => b.Code).HasMaxLength(Hall.Server.Bookings.BookingCodes.Length);
            e.Property(b => b.State).HasConversion<string>().HasMaxLength(16);
            e.Property(b => b.NameMasked).HasMaxLength(40);
            e.Property(b => b.IdMasked).HasMaxLength(18);
            e.Property(b => b.MobileMasked).HasMaxLength(11);
        });
        modelBuilder.Entity<Bookings.BookingSlot>(e =>
        {
            e.ToTable("booking_slots");
            e.HasKey(s => new { s.ServiceId, s.Date, s.Start });
            e.HasOne<HallSite>().WithMany().HasForeignKey(s => s.HallId);
            e.HasOne<Service>().WithMany().HasForeignKey(s => s.ServiceId);
            e.ToTable(t => t.HasCheckConstraint("ck_booking_slots_booked", "booked >= 0"));
        });
        modelBuilder.Entity<Outbox.OutboxMessage>(e =>
        {
            e.ToTable("outbox");
            e.HasOne<HallSite>().WithMany().HasForeignKey(m => m.HallId);
            e.HasOne<Outbox.WebhookEndpoint>().WithMany().HasForeignKey(m => m.EndpointId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Rating>().WithMany().HasForeignKey(m => m.RatingId);
            e.Property(m => m.Channel).HasMaxLength(16);
            e.Property(m => m.EventId).HasMaxLength(64);
            e.Property(m => m.Type).HasMaxLength(40);
            e.Property(m => m.SubjectKey).HasMaxLength(64);
            e.Property(m => m.Payload).HasColumnType("jsonb");
            e.Property(m => m.State).HasMaxLength(16);
            e.Property(m => m.LastError).HasMaxLength(500);
            // One upload per rating: enqueuing it again (an appeal upheld) raises its revision rather than adding a row.
            e.HasIndex(m => m.RatingId).IsUnique().HasFilter("channel = 'province'");
            e.HasIndex(m => new { m.HallId, m.Channel, m.State, m.NextAttemptAt });
            // A subject's earlier messages to the same endpoint, looked up before each claim (delivered in order).
            e.HasIndex(m => new { m.EndpointId, m.SubjectKey, m.Id });
            // The retention job's look-up: delivered messages by when they were delivered.
            e.HasIndex(m => m.SentAt).HasFilter("state = 'sent'");
        });
        modelBuilder.Entity<Outbox.WebhookEndpoint>(e =>
        {
            e.ToTable("webhook_endpoints");
            e.HasOne<HallSite>().WithMany().HasForeignKey(w => w.HallId);
            e.HasIndex(w => w.HallId);
            e.Property(w => w.Url).HasMaxLength(500);
            e.Property(w => w.SecretCipher).HasMaxLength(1000);
            e.Property(w => w.PreviousSecretCipher).HasMaxLength(1000);
        });
        modelBuilder.Entity<Operations.BackgroundJob>(e =>
        {
            e.ToTable("background_jobs");
            e.HasOne<HallSite>().WithMany().HasForeignKey(j => j.HallId);
            // One running job per hall, kind and key, whichever server took it.
            e.HasIndex(j => new { j.HallId, j.Kind, j.Key }).IsUnique().HasFilter("state = 'running'");
            e.Property(j => j.Kind).HasMaxLength(32);
            e.Property(j => j.Key).HasMaxLength(64);
            e.Property(j => j.State).HasMaxLength(16);
            e.Property(j => j.View).HasColumnType("jsonb");
        });
        modelBuilder.Entity<CommandRecord>(e =>
        {
            e.ToTable("commands");
            e.HasKey(c => c.CommandId);
            e.Property(c => c.Kind).HasMaxLength(32);
            e.Property(c => c.Actor).HasMaxLength(64);
            e.Property(c => c.Result).HasColumnType("jsonb");
        });
    }

    private static ValueComparer<T> JsonComparer<T>() => new(
        (a, b) => JsonSerializer.Serialize(a, (JsonSerializerOptions?)null) == JsonSerializer.Serialize(b, (JsonSerializerOptions?)null),
        v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null).GetHashCode(StringComparison.Ordinal),
        v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, (JsonSerializerOptions?)null), (JsonSerializerOptions?)null)!);

    private static System.Linq.Expressions.Expression<Func<T, string>> ToJson<T>() => v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null);

    private static System.Linq.Expressions.Expression<Func<string, T>> FromJson<T>() => v => JsonSerializer.Deserialize<T>(v, (JsonSerializerOptions?)null)!;
}
