using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class PersonalDataLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "id_hmac",
                table: "tickets",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "id_masked",
                table: "tickets",
                type: "character varying(18)",
                maxLength: 18,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_tickets_issued_by_device_id_issued_at",
                table: "tickets",
                columns: new[] { "issued_by_device_id", "issued_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_tickets_issued_by_device_id_issued_at",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "id_hmac",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "id_masked",
                table: "tickets");
        }
    }
}
