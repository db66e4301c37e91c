using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class WindowExpectStaffed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "expect_staffed",
                table: "windows",
                type: "boolean",
                nullable: false,
                // Every window so far was watched whenever the hall is open.
                defaultValue: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "expect_staffed",
                table: "windows");
        }
    }
}
