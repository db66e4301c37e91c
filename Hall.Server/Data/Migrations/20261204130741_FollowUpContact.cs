using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class FollowUpContact : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "contact_cipher",
                table: "tickets",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "contact_masked",
                table: "follow_up_cases",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "contact_cipher",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "contact_masked",
                table: "follow_up_cases");
        }
    }
}
