using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class BookingNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "change_notice_due_at",
                table: "bookings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "change_notice_sent_at",
                table: "bookings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "confirmation_sent_at",
                table: "bookings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "notice_failures",
                table: "bookings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "notice_lease_until",
                table: "bookings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "reminder_sent_at",
                table: "bookings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_bookings_notices_due",
                table: "bookings",
                columns: new[] { "hall_id", "date" },
                filter: "state = 'Booked' AND mobile_cipher IS NOT NULL");

            // Bookings made before there were notices get no late "booked" SMS.
            migrationBuilder.Sql("UPDATE bookings SET confirmation_sent_at = created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_bookings_notices_due",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "change_notice_due_at",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "change_notice_sent_at",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "confirmation_sent_at",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "notice_failures",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "notice_lease_until",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "reminder_sent_at",
                table: "bookings");
        }
    }
}
