using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class FinishDetailsAndTransferNotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "acceptance_deadline",
                table: "tickets",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "finish_note",
                table: "tickets",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "missing_materials",
                table: "tickets",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "transfer_note",
                table: "tickets",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "transferred_from_window_id",
                table: "tickets",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "acceptance_deadline",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "finish_note",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "missing_materials",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "transfer_note",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "transferred_from_window_id",
                table: "tickets");
        }
    }
}
