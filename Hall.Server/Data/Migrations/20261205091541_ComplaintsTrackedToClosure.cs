using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class ComplaintsTrackedToClosure : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "complaint_working_days",
                table: "halls",
                type: "integer",
                nullable: false,
                defaultValue: 3);

            migrationBuilder.CreateTable(
                name: "complaints",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    number = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    business_date = table.Column<DateOnly>(type: "date", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    registered_by_staff_id = table.Column<int>(type: "integer", nullable: false),
                    registered_by_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    window_id = table.Column<int>(type: "integer", nullable: true),
                    channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    citizen_masked = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    mobile_cipher = table.Column<string>(type: "text", nullable: true),
                    mobile_masked = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    category = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    department = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ticket_id = table.Column<long>(type: "bigint", nullable: true),
                    ticket_number = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    ticket_date = table.Column<DateOnly>(type: "date", nullable: true),
                    due_date = table.Column<DateOnly>(type: "date", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    assignee_staff_id = table.Column<int>(type: "integer", nullable: true),
                    assignee_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    assigned_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    assigned_by_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    answer = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    answered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    answered_by_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    verdict = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    call_back_note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    called_back_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    called_back_by_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    closed_by_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_complaints", x => x.id);
                    table.ForeignKey(
                        name: "fk_complaints_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_complaints_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_complaints_windows_window_id",
                        column: x => x.window_id,
                        principalTable: "windows",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "ix_complaints_hall_id_business_date",
                table: "complaints",
                columns: new[] { "hall_id", "business_date" });

            migrationBuilder.CreateIndex(
                name: "ix_complaints_hall_id_closed_at",
                table: "complaints",
                columns: new[] { "hall_id", "closed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_complaints_hall_id_number",
                table: "complaints",
                columns: new[] { "hall_id", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_complaints_ticket_id",
                table: "complaints",
                column: "ticket_id");

            migrationBuilder.CreateIndex(
                name: "ix_complaints_window_id",
                table: "complaints",
                column: "window_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "complaints");

            migrationBuilder.DropColumn(
                name: "complaint_working_days",
                table: "halls");
        }
    }
}
