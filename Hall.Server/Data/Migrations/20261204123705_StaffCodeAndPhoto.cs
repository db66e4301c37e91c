using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class StaffCodeAndPhoto : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "staff_code",
                table: "staff",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "staff_photos");

            migrationBuilder.DropColumn(
                name: "staff_code",
                table: "staff");
        }
    }
}
