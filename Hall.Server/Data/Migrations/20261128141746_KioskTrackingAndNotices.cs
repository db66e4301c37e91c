using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class KioskTrackingAndNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "mobile_cipher",
                table: "tickets",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "mobile_hmac",
                table: "tickets",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "mobile_masked",
                table: "tickets",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "notice_sent_at",
                table: "tickets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "tracking_code",
                table: "tickets",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "initials",
                table: "service_items",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "notice_people_ahead",
                table: "halls",
                type: "integer",
                nullable: false,
                defaultValue: 3);

            migrationBuilder.AddColumn<bool>(
                name: "online",
                table: "devices",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "status",
                table: "devices",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "status_at",
                table: "devices",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "status_detail",
                table: "devices",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

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
                name: "server_secrets",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    value = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_server_secrets", x => x.name);
                });

            // Tickets issued before this migration get a code of their own, so the unique index holds.
            migrationBuilder.Sql("UPDATE tickets SET tracking_code = md5(random()::text || id::text) WHERE tracking_code = ''");

            // A mobile number is kept only until its ticket closes: whichever statement closes it, the number goes with it.
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

            migrationBuilder.CreateIndex(
                name: "ix_tickets_tracking_code",
                table: "tickets",
                column: "tracking_code",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER tickets_forget_mobile ON tickets; DROP FUNCTION tickets_forget_mobile();");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "server_secrets");

            migrationBuilder.DropIndex(
                name: "ix_tickets_tracking_code",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "mobile_cipher",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "mobile_hmac",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "mobile_masked",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "notice_sent_at",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "tracking_code",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "initials",
                table: "service_items");

            migrationBuilder.DropColumn(
                name: "notice_people_ahead",
                table: "halls");

            migrationBuilder.DropColumn(
                name: "online",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "status",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "status_at",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "status_detail",
                table: "devices");
        }
    }
}
