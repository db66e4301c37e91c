using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class Bookings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "booking",
                table: "halls",
                type: "jsonb",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.CreateTable(
                name: "booking_slots",
                columns: table => new
                {
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    date = table.Column<DateOnly>(type: "date", nullable: false),
                    start = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    booked = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_booking_slots", x => new { x.service_id, x.date, x.start });
                    table.CheckConstraint("ck_booking_slots_booked", "booked >= 0");
                    table.ForeignKey(
                        name: "fk_booking_slots_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_booking_slots_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "bookings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    service_item_id = table.Column<int>(type: "integer", nullable: true),
                    date = table.Column<DateOnly>(type: "date", nullable: false),
                    start = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    end = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    code = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    request_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name_masked = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    id_hmac = table.Column<byte[]>(type: "bytea", nullable: false),
                    id_masked = table.Column<string>(type: "character varying(18)", maxLength: 18, nullable: false),
                    mobile_hmac = table.Column<byte[]>(type: "bytea", nullable: false),
                    mobile_masked = table.Column<string>(type: "character varying(11)", maxLength: 11, nullable: false),
                    mobile_cipher = table.Column<string>(type: "text", nullable: true),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    checked_in_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    missed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ticket_id = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bookings", x => x.id);
                    table.ForeignKey(
                        name: "fk_bookings_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_bookings_service_items_service_item_id",
                        column: x => x.service_item_id,
                        principalTable: "service_items",
                        principalColumn: "id");
                    table.ForeignKey(
                        name: "fk_bookings_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_bookings_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id");
                });

            migrationBuilder.CreateTable(
                name: "slot_schedules",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    hall_id = table.Column<int>(type: "integer", nullable: false),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    slot_minutes = table.Column<int>(type: "integer", nullable: false),
                    capacity = table.Column<int>(type: "integer", nullable: false),
                    days_ahead = table.Column<int>(type: "integer", nullable: false),
                    release_at = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    remote_tickets = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_slot_schedules", x => x.id);
                    table.ForeignKey(
                        name: "fk_slot_schedules_halls_hall_id",
                        column: x => x.hall_id,
                        principalTable: "halls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_slot_schedules_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_booking_slots_hall_id",
                table: "booking_slots",
                column: "hall_id");

            migrationBuilder.CreateIndex(
                name: "ix_bookings_hall_id_code",
                table: "bookings",
                columns: new[] { "hall_id", "code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_bookings_hall_id_id_hmac",
                table: "bookings",
                columns: new[] { "hall_id", "id_hmac" });

            migrationBuilder.CreateIndex(
                name: "ix_bookings_hall_id_request_id",
                table: "bookings",
                columns: new[] { "hall_id", "request_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_bookings_service_id_date_start",
                table: "bookings",
                columns: new[] { "service_id", "date", "start" });

            migrationBuilder.CreateIndex(
                name: "ix_bookings_service_item_id",
                table: "bookings",
                column: "service_item_id");

            migrationBuilder.CreateIndex(
                name: "ix_bookings_ticket_id",
                table: "bookings",
                column: "ticket_id");

            migrationBuilder.CreateIndex(
                name: "ix_slot_schedules_hall_id",
                table: "slot_schedules",
                column: "hall_id");

            migrationBuilder.CreateIndex(
                name: "ix_slot_schedules_service_id",
                table: "slot_schedules",
                column: "service_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "booking_slots");

            migrationBuilder.DropTable(
                name: "bookings");

            migrationBuilder.DropTable(
                name: "slot_schedules");

            migrationBuilder.DropColumn(
                name: "booking",
                table: "halls");
        }
    }
}
