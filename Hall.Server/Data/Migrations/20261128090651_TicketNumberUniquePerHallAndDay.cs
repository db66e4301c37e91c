using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class TicketNumberUniquePerHallAndDay : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_tickets_service_id_business_date_sequence",
                table: "tickets");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_hall_id_business_date_number",
                table: "tickets",
                columns: new[] { "hall_id", "business_date", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tickets_service_id_business_date_state",
                table: "tickets",
                columns: new[] { "service_id", "business_date", "state" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_tickets_hall_id_business_date_number",
                table: "tickets");

            migrationBuilder.DropIndex(
                name: "ix_tickets_service_id_business_date_state",
                table: "tickets");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_service_id_business_date_sequence",
                table: "tickets",
                columns: new[] { "service_id", "business_date", "sequence" },
                unique: true);
        }
    }
}
