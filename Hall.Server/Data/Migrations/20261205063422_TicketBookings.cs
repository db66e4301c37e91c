using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class TicketBookings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "booked_for",
                table: "tickets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "booking_id",
                table: "tickets",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_tickets_waiting_booked",
                table: "tickets",
                columns: new[] { "service_id", "business_date" },
                filter: "state = 'Waiting' AND booked_for IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_tickets_waiting_booked",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "booked_for",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "booking_id",
                table: "tickets");
        }
    }
}
