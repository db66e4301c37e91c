using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "hall_version_seq");

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    subject = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    text_zh = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    text_en = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    raised_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cleared_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    acknowledged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    acknowledged_by = table.Column<int>(type: "integer", nullable: true),
                    acknowledged_by_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    staff_id = table.Column<int>(type: "integer", nullable: false),
                    staff_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    action = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    subject = table.Column<string>(type: "character varying(140)", maxLength: 140, nullable: false),
                    before = table.Column<string>(type: "jsonb", nullable: true),
                    after = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "commands",
                columns: table => new
                {
                    command_id = table.Column<Guid>(type: "uuid", nullable: false),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    actor = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    payload_hash = table.Column<byte[]>(type: "bytea", nullable: true),
                    result = table.Column<string>(type: "jsonb", nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_commands", x => x.command_id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "halls",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    parent_id = table.Column<int>(type: "integer", nullable: true),
                    time_zone_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    hours = table.Column<string>(type: "jsonb", nullable: false),
                    ageing_minutes = table.Column<int>(type: "integer", nullable: false),
                    normal_per_priority = table.Column<int>(type: "integer", nullable: false),
                    max_recalls = table.Column<int>(type: "integer", nullable: false),
                    auto_no_show_after_calls = table.Column<int>(type: "integer", nullable: false),
                    requeue_places_back = table.Column<int>(type: "integer", nullable: false),
                    outcomes = table.Column<List<string>>(type: "text[]", nullable: false),
                    pause_reasons = table.Column<List<string>>(type: "text[]", nullable: false),
                    notice_line = table.Column<string>(type: "text", nullable: true),
                    notice_people_ahead = table.Column<int>(type: "integer", nullable: false),
                    follow_up_working_days = table.Column<int>(type: "integer", nullable: false),
                    pause_limit_minutes = table.Column<int>(type: "integer", nullable: false),
                    unstaffed_grace_minutes = table.Column<int>(type: "integer", nullable: false),
                    device_offline_minutes = table.Column<int>(type: "integer", nullable: false),
                    display = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_halls", x => x.id);
                    table.ForeignKey(
                        name: "fk_halls_halls_parent_id",
                        column: x => x.parent_id,
                        principalTable: "halls",
                        principalColumn: "id");
                });

            migrationBuilder.CreateTable(
                name: "window_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "nextval('hall_version_seq')"),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    window_id = table.Column<int>(type: "integer", nullable: false),
                    session_id = table.Column<long>(type: "bigint", nullable: false),
                    staff_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    command_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_window_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "background_jobs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    view = table.Column<string>(type: "jsonb", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    heartbeat_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_background_jobs", x => x.id);
                    table.ForeignKey(
                        name: "fk_background_jobs_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "hall_calendar_days",
                columns: table => new
                {
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    date = table.Column<DateOnly>(type: "date", nullable: false),
                    open = table.Column<bool>(type: "boolean", nullable: false),
                    note = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_hall_calendar_days", x => new { x.hall_id, x.date });
                    table.ForeignKey(
                        name: "fk_hall_calendar_days_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "media_items",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    content_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    display_seconds = table.Column<int>(type: "integer", nullable: false),
                    legal = table.Column<bool>(type: "boolean", nullable: false),
                    uploaded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    deleted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_media_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_media_items_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "playlists",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    media_ids = table.Column<List<int>>(type: "integer[]", nullable: false),
                    from = table.Column<DateOnly>(type: "date", nullable: true),
                    to = table.Column<DateOnly>(type: "date", nullable: true),
                    days = table.Column<List<int>>(type: "integer[]", nullable: false),
                    times = table.Column<List<string>>(type: "text[]", nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_playlists", x => x.id);
                    table.ForeignKey(
                        name: "fk_playlists_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "search_synonyms",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    word = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    item_codes = table.Column<List<string>>(type: "text[]", nullable: false),
                    service_ids = table.Column<List<int>>(type: "integer[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_search_synonyms", x => x.id);
                    table.ForeignKey(
                        name: "fk_search_synonyms_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "services",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    name_en = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    prefix = table.Column<char>(type: "character(1)", nullable: false),
                    daily_cap = table.Column<int>(type: "integer", nullable: false),
                    hours = table.Column<string>(type: "jsonb", nullable: true),
                    target_wait_minutes = table.Column<int>(type: "integer", nullable: false),
                    alert_waiting_count = table.Column<int>(type: "integer", nullable: false),
                    default_handling_minutes = table.Column<int>(type: "integer", nullable: false),
                    accepts_priority = table.Column<bool>(type: "boolean", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    sort_order = table.Column<int>(type: "integer", nullable: false),
                    queue_version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_services", x => x.id);
                    table.ForeignKey(
                        name: "fk_services_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "staff",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    login = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    staff_code = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    password_hash = table.Column<string>(type: "text", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_staff", x => x.id);
                    table.ForeignKey(
                        name: "fk_staff_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "windows",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    led_address = table.Column<int>(type: "integer", nullable: true),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    expect_staffed = table.Column<bool>(type: "boolean", nullable: false),
                    normals_since_priority = table.Column<int>(type: "integer", nullable: false),
                    state_version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_windows", x => x.id);
                    table.ForeignKey(
                        name: "fk_windows_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "number_counters",
                columns: table => new
                {
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    business_date = table.Column<DateOnly>(type: "date", nullable: false),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    last_number = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_number_counters", x => new { x.service_id, x.business_date });
                    table.ForeignKey(
                        name: "fk_number_counters_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "service_items",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    department = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    materials = table.Column<List<string>>(type: "text[]", nullable: false),
                    initials = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_service_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_service_items_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_service_items_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "tickets",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    business_date = table.Column<DateOnly>(type: "date", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    number = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    priority = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    issued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    transferred = table.Column<bool>(type: "boolean", nullable: false),
                    target_window_id = table.Column<int>(type: "integer", nullable: true),
                    window_id = table.Column<int>(type: "integer", nullable: true),
                    staff_id = table.Column<int>(type: "integer", nullable: true),
                    call_count = table.Column<int>(type: "integer", nullable: false),
                    called_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    missing_materials = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    acceptance_deadline = table.Column<DateOnly>(type: "date", nullable: true),
                    finish_note = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    transfer_note = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    transferred_from_window_id = table.Column<int>(type: "integer", nullable: true),
                    service_item_id = table.Column<int>(type: "integer", nullable: true),
                    handled_item_ids = table.Column<List<int>>(type: "integer[]", nullable: false),
                    issued_by_device_id = table.Column<int>(type: "integer", nullable: true),
                    tracking_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    mobile_cipher = table.Column<string>(type: "text", nullable: true),
                    contact_cipher = table.Column<string>(type: "text", nullable: true),
                    mobile_hmac = table.Column<byte[]>(type: "bytea", nullable: true),
                    mobile_masked = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    id_hmac = table.Column<byte[]>(type: "bytea", nullable: true),
                    id_masked = table.Column<string>(type: "character varying(18)", maxLength: 18, nullable: true),
                    notice_sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tickets", x => x.id);
                    table.ForeignKey(
                        name: "fk_tickets_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_tickets_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "reports",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    period_from = table.Column<DateOnly>(type: "date", nullable: false),
                    period_to = table.Column<DateOnly>(type: "date", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    generated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    generated_by_staff_id = table.Column<int>(type: "integer", nullable: true),
                    pdf = table.Column<byte[]>(type: "bytea", nullable: false),
                    xlsx = table.Column<byte[]>(type: "bytea", nullable: false),
                    pdf_size = table.Column<int>(type: "integer", nullable: false),
                    xlsx_size = table.Column<int>(type: "integer", nullable: false),
                    generation_ms = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_reports", x => x.id);
                    table.ForeignKey(
                        name: "fk_reports_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_reports_staff_generated_by_staff_id",
                        column: x => x.generated_by_staff_id,
                        principalTable: "staff",
                        principalColumn: "id");
                });

            migrationBuilder.CreateTable(
                name: "staff_photos",
                columns: table => new
                {
                    staff_id = table.Column<int>(type: "integer", nullable: false),
                    jpeg = table.Column<byte[]>(type: "bytea", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_staff_photos", x => x.staff_id);
                    table.ForeignKey(
                        name: "fk_staff_photos_staff_staff_id",
                        column: x => x.staff_id,
                        principalTable: "staff",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "staff_sessions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    staff_id = table.Column<int>(type: "integer", nullable: false),
                    secret_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_staff_sessions", x => x.id);
                    table.ForeignKey(
                        name: "fk_staff_sessions_staff_staff_id",
                        column: x => x.staff_id,
                        principalTable: "staff",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "devices",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    key_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    window_id = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    online = table.Column<bool>(type: "boolean", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    status_detail = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    status_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    refused_plays = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_devices", x => x.id);
                    table.ForeignKey(
                        name: "fk_devices_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_devices_windows_window_id",
                        column: x => x.window_id,
                        principalTable: "windows",
                        principalColumn: "id");
                });

            migrationBuilder.CreateTable(
                name: "window_services",
                columns: table => new
                {
                    window_id = table.Column<int>(type: "integer", nullable: false),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    rank = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_window_services", x => new { x.window_id, x.service_id });
                    table.ForeignKey(
                        name: "fk_window_services_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_window_services_windows_window_id",
                        column: x => x.window_id,
                        principalTable: "windows",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "window_sessions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    window_id = table.Column<int>(type: "integer", nullable: false),
                    staff_id = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    pause_reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    paused_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    opened_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_window_sessions", x => x.id);
                    table.ForeignKey(
                        name: "fk_window_sessions_staff_staff_id",
                        column: x => x.staff_id,
                        principalTable: "staff",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_window_sessions_windows_window_id",
                        column: x => x.window_id,
                        principalTable: "windows",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "follow_up_cases",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    ticket_id = table.Column<long>(type: "bigint", nullable: false),
                    ticket_number = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    window_id = table.Column<int>(type: "integer", nullable: true),
                    staff_id = table.Column<int>(type: "integer", nullable: true),
                    level = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    reasons = table.Column<List<string>>(type: "text[]", nullable: false),
                    opened_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    contact_masked = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    due_date = table.Column<DateOnly>(type: "date", nullable: false),
                    notes = table.Column<string>(type: "jsonb", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    closed_by_staff_id = table.Column<int>(type: "integer", nullable: true),
                    result = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_follow_up_cases", x => x.id);
                    table.ForeignKey(
                        name: "fk_follow_up_cases_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ratings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    ticket_id = table.Column<long>(type: "bigint", nullable: false),
                    window_id = table.Column<int>(type: "integer", nullable: true),
                    staff_id = table.Column<int>(type: "integer", nullable: true),
                    level = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    reasons = table.Column<List<string>>(type: "text[]", nullable: false),
                    device_id = table.Column<int>(type: "integer", nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ratings", x => x.id);
                    table.ForeignKey(
                        name: "fk_ratings_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ticket_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "nextval('hall_version_seq')"),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    ticket_id = table.Column<long>(type: "bigint", nullable: false),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    from_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    to_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    window_id = table.Column<int>(type: "integer", nullable: true),
                    staff_id = table.Column<int>(type: "integer", nullable: true),
                    device_id = table.Column<int>(type: "integer", nullable: true),
                    outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    detail = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    command_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ticket_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_ticket_events_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "media_plays",
                columns: table => new
                {
                    play_id = table.Column<Guid>(type: "uuid", nullable: false),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    device_id = table.Column<int>(type: "integer", nullable: false),
                    media_id = table.Column<int>(type: "integer", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed = table.Column<bool>(type: "boolean", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_media_plays", x => x.play_id);
                    table.ForeignKey(
                        name: "fk_media_plays_devices_device_id",
                        column: x => x.device_id,
                        principalTable: "devices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_media_plays_media_items_media_id",
                        column: x => x.media_id,
                        principalTable: "media_items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "display_call_acks",
                columns: table => new
                {
                    device_id = table.Column<int>(type: "integer", nullable: false),
                    call_id = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_display_call_acks", x => new { x.device_id, x.call_id });
                    table.ForeignKey(
                        name: "fk_display_call_acks_devices_device_id",
                        column: x => x.device_id,
                        principalTable: "devices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_display_call_acks_ticket_events_call_id",
                        column: x => x.call_id,
                        principalTable: "ticket_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_hall_id_kind_subject",
                table: "alerts",
                columns: new[] { "hall_id", "kind", "subject" },
                unique: true,
                filter: "cleared_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_hall_id_raised_at",
                table: "alerts",
                columns: new[] { "hall_id", "raised_at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_hall_id_id",
                table: "audit_entries",
                columns: new[] { "hall_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_background_jobs_hall_id_kind_key",
                table: "background_jobs",
                columns: new[] { "hall_id", "kind", "key" },
                unique: true,
                filter: "state = 'running'");

            migrationBuilder.CreateIndex(
                name: "ix_devices_hall_id",
                table: "devices",
                column: "hall_id");

            migrationBuilder.CreateIndex(
                name: "ix_devices_window_id",
                table: "devices",
                column: "window_id");

            migrationBuilder.CreateIndex(
                name: "ix_display_call_acks_call_id",
                table: "display_call_acks",
                column: "call_id");

            migrationBuilder.CreateIndex(
                name: "ix_follow_up_cases_hall_id_closed_at",
                table: "follow_up_cases",
                columns: new[] { "hall_id", "closed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_follow_up_cases_ticket_id",
                table: "follow_up_cases",
                column: "ticket_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_halls_code",
                table: "halls",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_halls_parent_id",
                table: "halls",
                column: "parent_id");

            migrationBuilder.CreateIndex(
                name: "ix_media_items_hall_id",
                table: "media_items",
                column: "hall_id");

            migrationBuilder.CreateIndex(
                name: "ix_media_plays_device_id",
                table: "media_plays",
                column: "device_id");

            migrationBuilder.CreateIndex(
                name: "ix_media_plays_hall_id_started_at",
                table: "media_plays",
                columns: new[] { "hall_id", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_media_plays_media_id",
                table: "media_plays",
                column: "media_id");

            migrationBuilder.CreateIndex(
                name: "ix_playlists_hall_id",
                table: "playlists",
                column: "hall_id");

            migrationBuilder.CreateIndex(
                name: "ix_ratings_ticket_id",
                table: "ratings",
                column: "ticket_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_reports_generated_by_staff_id",
                table: "reports",
                column: "generated_by_staff_id");

            migrationBuilder.CreateIndex(
                name: "ix_reports_hall_id_kind_period_from",
                table: "reports",
                columns: new[] { "hall_id", "kind", "period_from" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_search_synonyms_hall_id_word",
                table: "search_synonyms",
                columns: new[] { "hall_id", "word" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_service_items_hall_id_code",
                table: "service_items",
                columns: new[] { "hall_id", "code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_service_items_service_id",
                table: "service_items",
                column: "service_id");

            migrationBuilder.CreateIndex(
                name: "ix_services_hall_id_code",
                table: "services",
                columns: new[] { "hall_id", "code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_services_hall_id_prefix",
                table: "services",
                columns: new[] { "hall_id", "prefix" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_staff_hall_id",
                table: "staff",
                column: "hall_id");

            migrationBuilder.CreateIndex(
                name: "ix_staff_login",
                table: "staff",
                column: "login",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_staff_sessions_staff_id",
                table: "staff_sessions",
                column: "staff_id");

            migrationBuilder.CreateIndex(
                name: "ix_ticket_events_hall_id_at",
                table: "ticket_events",
                columns: new[] { "hall_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_ticket_events_ticket_id",
                table: "ticket_events",
                column: "ticket_id");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_hall_id_business_date_number",
                table: "tickets",
                columns: new[] { "hall_id", "business_date", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tickets_hall_id_business_date_state",
                table: "tickets",
                columns: new[] { "hall_id", "business_date", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_tickets_issued_by_device_id_issued_at",
                table: "tickets",
                columns: new[] { "issued_by_device_id", "issued_at" });

            migrationBuilder.CreateIndex(
                name: "ix_tickets_one_active_per_window",
                table: "tickets",
                column: "window_id",
                unique: true,
                filter: "state IN ('Called', 'Serving')");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_service_id_business_date_state",
                table: "tickets",
                columns: new[] { "service_id", "business_date", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_tickets_tracking_code",
                table: "tickets",
                column: "tracking_code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_window_events_hall_id_at",
                table: "window_events",
                columns: new[] { "hall_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_window_services_service_id",
                table: "window_services",
                column: "service_id");

            migrationBuilder.CreateIndex(
                name: "ix_window_sessions_staff_id",
                table: "window_sessions",
                column: "staff_id");

            migrationBuilder.CreateIndex(
                name: "ix_window_sessions_window_id",
                table: "window_sessions",
                column: "window_id",
                unique: true,
                filter: "closed_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_windows_hall_id_number",
                table: "windows",
                columns: new[] { "hall_id", "number" },
                unique: true);

            // Hand-written, not in the model. A mobile number is kept only until its ticket closes: whichever statement
            // closes it, the number goes with it (PROTOCOL.md §10.3, MobileNumbers.cs).
            migrationBuilder.Sql("""
                CREATE FUNCTION tickets_forget_mobile() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.mobile_cipher := NULL;
                    NEW.mobile_hmac := NULL;
                    NEW.mobile_masked := NULL;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER tickets_forget_mobile BEFORE UPDATE OF state ON tickets
                    FOR EACH ROW WHEN (NEW.state IN ('Finished', 'NoShow', 'Cancelled', 'Voided') AND OLD.mobile_cipher IS NOT NULL)
                    EXECUTE FUNCTION tickets_forget_mobile();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER tickets_forget_mobile ON tickets; DROP FUNCTION tickets_forget_mobile();");

            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropTable(
                name: "audit_entries");

            migrationBuilder.DropTable(
                name: "background_jobs");

            migrationBuilder.DropTable(
                name: "commands");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "display_call_acks");

            migrationBuilder.DropTable(
                name: "follow_up_cases");

            migrationBuilder.DropTable(
                name: "hall_calendar_days");

            migrationBuilder.DropTable(
                name: "media_plays");

            migrationBuilder.DropTable(
                name: "number_counters");

            migrationBuilder.DropTable(
                name: "playlists");

            migrationBuilder.DropTable(
                name: "ratings");

            migrationBuilder.DropTable(
                name: "reports");

            migrationBuilder.DropTable(
                name: "search_synonyms");

            migrationBuilder.DropTable(
                name: "service_items");

            migrationBuilder.DropTable(
                name: "staff_photos");

            migrationBuilder.DropTable(
                name: "staff_sessions");

            migrationBuilder.DropTable(
                name: "window_events");

            migrationBuilder.DropTable(
                name: "window_services");

            migrationBuilder.DropTable(
                name: "window_sessions");

            migrationBuilder.DropTable(
                name: "ticket_events");

            migrationBuilder.DropTable(
                name: "devices");

            migrationBuilder.DropTable(
                name: "media_items");

            migrationBuilder.DropTable(
                name: "staff");

            migrationBuilder.DropTable(
                name: "tickets");

            migrationBuilder.DropTable(
                name: "windows");

            migrationBuilder.DropTable(
                name: "services");

            migrationBuilder.DropTable(
                name: "halls");

            migrationBuilder.DropSequence(
                name: "hall_version_seq");
        }
    }
}
