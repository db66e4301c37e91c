using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class BulletinsAsDocuments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "document_number",
                table: "reports",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "document_serial",
                table: "reports",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "document_year",
                table: "reports",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "issued_at",
                table: "reports",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "issued_by_staff_id",
                table: "reports",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "praise",
                table: "reports",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "problems",
                table: "reports",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "requirements",
                table: "reports",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "addressee",
                table: "halls",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "document_prefix",
                table: "halls",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "issuing_authority",
                table: "halls",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_reports_hall_id_document_year_document_serial",
                table: "reports",
                columns: new[] { "hall_id", "document_year", "document_serial" },
                unique: true,
                filter: "document_serial IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_reports_issued_by_staff_id",
                table: "reports",
                column: "issued_by_staff_id");

            migrationBuilder.AddForeignKey(
                name: "fk_reports_staff_issued_by_staff_id",
                table: "reports",
                column: "issued_by_staff_id",
                principalTable: "staff",
                principalColumn: "id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_reports_staff_issued_by_staff_id",
                table: "reports");

            migrationBuilder.DropIndex(
                name: "ix_reports_hall_id_document_year_document_serial",
                table: "reports");

            migrationBuilder.DropIndex(
                name: "ix_reports_issued_by_staff_id",
                table: "reports");

            migrationBuilder.DropColumn(
                name: "document_number",
                table: "reports");

            migrationBuilder.DropColumn(
                name: "document_serial",
                table: "reports");

            migrationBuilder.DropColumn(
                name: "document_year",
                table: "reports");

            migrationBuilder.DropColumn(
                name: "issued_at",
                table: "reports");

            migrationBuilder.DropColumn(
                name: "issued_by_staff_id",
                table: "reports");

            migrationBuilder.DropColumn(
                name: "praise",
                table: "reports");

            migrationBuilder.DropColumn(
                name: "problems",
                table: "reports");

            migrationBuilder.DropColumn(
                name: "requirements",
                table: "reports");

            migrationBuilder.DropColumn(
                name: "addressee",
                table: "halls");

            migrationBuilder.DropColumn(
                name: "document_prefix",
                table: "halls");

            migrationBuilder.DropColumn(
                name: "issuing_authority",
                table: "halls");
        }
    }
}
